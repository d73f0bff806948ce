"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from app.auth.accounts import SignInRefused, authenticate, keep_signed_in
from app.auth.forms import SignInForm
from app.forms import see_other
from app.users.forms import ConfirmForm

bp = Blueprint("auth", __name__)


def safe_next(target):
    """``target`` if it is a path on this site, else the home page.

    Anything with a scheme or a host, or starting with ``//`` or a backslash
    (which browsers treat as another host), could send a person elsewhere.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return url_for("main.home")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.email.data, form.password.data, request.remote_addr
            )
        except SignInRefused as refusal:
            status = 429 if refusal.retry_after else 200
            form.form_errors.append(
                f"Too many failed attempts. Try again in {refusal.retry_after} s."
                if refusal.retry_after
                else "Wrong email or password, or the account is inactive."
            )
        else:
            login_user(user)
            keep_signed_in(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")), code=303)
    demo = current_app.config.get("DEMO_MODE")
    return render_template("auth/sign_in.html", form=form, demo=demo), status


@bp.post("/sign-out")
def sign_out():
    if ConfirmForm().validate_on_submit():
        logout_user()
        flash("Signed out.", "success")
    return see_other("auth.sign_in")
