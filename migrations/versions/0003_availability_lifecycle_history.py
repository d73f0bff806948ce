"""availability, ticket lifecycle and assignment history

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:47:29.218945

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# SQLite rebuilds a table to alter it; AUTOINCREMENT must survive the rebuild,
# or a deleted member's id could be handed out again.
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    op.create_table(
        "assignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("cursor_before", sa.Integer(), nullable=True),
        sa.Column("cursor_after", sa.Integer(), nullable=True),
        sa.Column("passed_over", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_user_id"],
            ["users.id"],
            name=op.f("fk_assignment_events_from_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_assignment_events_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"],
            ["users.id"],
            name=op.f("fk_assignment_events_to_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_events")),
    )
    with op.batch_alter_table("assignment_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_events_ticket_id_id", ["ticket_id", "id"], unique=False
        )

    with op.batch_alter_table("users", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column(
                "availability",
                sa.String(length=10),
                server_default="available",
                nullable=False,
            )
        )
        batch_op.drop_index(batch_op.f("ix_users_active_id"))
        batch_op.create_index(
            "ix_users_active_availability_id",
            ["active", "availability", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("users", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_index("ix_users_active_availability_id")
        batch_op.create_index(
            batch_op.f("ix_users_active_id"), ["active", "id"], unique=False
        )
        batch_op.drop_column("availability")

    with op.batch_alter_table("assignment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_events_ticket_id_id")

    op.drop_table("assignment_events")
