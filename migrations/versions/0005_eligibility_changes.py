"""eligibility changes and time indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:38:46.017849

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# SQLite rebuilds a table to alter it; AUTOINCREMENT must survive the rebuild,
# or a deleted member's id could be handed out again.
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    op.create_table(
        "eligibility_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_eligibility_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_changes")),
    )
    with op.batch_alter_table("eligibility_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_eligibility_changes_user_id_at", ["user_id", "at"], unique=False
        )

    with op.batch_alter_table("assignment_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_events_created_at", ["created_at"], unique=False
        )

    with op.batch_alter_table("tickets", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.create_index("ix_tickets_created_at", ["created_at"], unique=False)

    # Members who existed before: eligible since they joined, or not, as now.
    op.execute(
        "INSERT INTO eligibility_changes (user_id, eligible, at) "
        "SELECT id, CASE WHEN active AND availability = 'available' "
        "THEN 1 ELSE 0 END = 1, created_at FROM users"
    )


def downgrade():
    with op.batch_alter_table("tickets", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_index("ix_tickets_created_at")

    with op.batch_alter_table("assignment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_events_created_at")

    with op.batch_alter_table("eligibility_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_eligibility_changes_user_id_at")

    op.drop_table("eligibility_changes")
