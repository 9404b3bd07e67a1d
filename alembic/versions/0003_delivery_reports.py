"""delivery reports of channels on outbox rows: delivery_status, and an index to find rows by external id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_index('ix_outbox_external', ['integration_id', 'external_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_external')
        batch_op.drop_column('delivery_status')
