"""Error pages for people, and JSON errors for API clients."""

from flask import current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api.errors import error_response, http_error
from app.database import DatabaseBusy


def wants_json():
    return request.path == "/api" or request.path.startswith("/api/")


def register(app):
    """Install the handlers that pick a page or JSON for every error."""

    @app.errorhandler(HTTPException)
    def http_exception(error):
        if wants_json():
            return http_error(error)
        template = "errors/404.html" if error.code == 404 else "errors/generic.html"
        return render_template(template, error=error), error.code

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        if wants_json():
            return http_error(error)
        return render_template("errors/500.html"), 500

    @app.errorhandler(DatabaseBusy)
    def database_busy(error):
        retry_after = str(current_app.config["RETRY_AFTER_SECONDS"])
        if wants_json():
            return error_response(
                503,
                "The database is busy; nothing was saved. Try again shortly.",
                headers={"Retry-After": retry_after},
            )
        page = render_template("errors/503.html")
        return page, 503, {"Retry-After": retry_after}
