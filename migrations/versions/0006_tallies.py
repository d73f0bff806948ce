"""running ticket tallies

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

from app.tallies import recount

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tallies",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tallies")),
    )
    # Tickets that existed before are counted once, here.
    recount(op.get_bind())


def downgrade():
    op.drop_table("tallies")
