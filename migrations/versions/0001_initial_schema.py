"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 15:32:47.203392

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite rebuilds a table to alter it; AUTOINCREMENT must survive the rebuild,
# or a deleted member's id could be handed out again.
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    op.create_table(
        "rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("last_assigned_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotations")),
        sa.UniqueConstraint("name", name=op.f("uq_rotations_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("contact", sa.String(length=120), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("users", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.create_index("ix_users_active_id", ["active", "id"], unique=False)

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["users.id"],
            name=op.f("fk_tickets_assigned_to_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_tickets_raised_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("tickets", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.create_index(
            "ix_tickets_assigned_to_id_id", ["assigned_to_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_tickets_raised_by_id_id", ["raised_by_id", "id"], unique=False
        )
        batch_op.create_index("ix_tickets_status_id", ["status", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("tickets", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_index("ix_tickets_status_id")
        batch_op.drop_index("ix_tickets_raised_by_id_id")
        batch_op.drop_index("ix_tickets_assigned_to_id_id")

    op.drop_table("tickets")
    with op.batch_alter_table("users", table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_index("ix_users_active_id")

    op.drop_table("users")
    op.drop_table("rotations")
