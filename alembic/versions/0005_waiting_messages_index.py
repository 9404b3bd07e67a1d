"""a partial index on the customer messages not handled yet: a conversation's next one without a walk through its history

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

WAITING = "role = 'user' AND status = 'received'"  # as in ai_agents.db.models.WAITING_CONDITION, frozen here


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_waiting', ['conversation_id', 'id'], unique=False,
                              sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_waiting')
