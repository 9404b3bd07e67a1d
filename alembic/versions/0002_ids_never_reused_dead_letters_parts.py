"""ids never reused on SQLite (AUTOINCREMENT), dead letters, outbox parts sent

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import ai_agents.db.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Tables with integer ids. SQLite reuses the largest rowid after a delete unless the table is
# AUTOINCREMENT, which needs the table rebuilt; PostgreSQL sequences never reuse ids.
ID_TABLES = ("agents", "integrations", "conversations", "messages", "notes", "alerts", "broadcasts", "outbox")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('dead_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', ai_agents.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dead_letters_integration_id'), ['integration_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # Alembic's connection has foreign keys off, so rebuilding a parent table cascades nothing.
        for table in ID_TABLES:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('parts_sent', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dead_letters_integration_id'))
    op.drop_table('dead_letters')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('parts_sent')
