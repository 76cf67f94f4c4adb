"""accounts: residents, beneficiaries, staff accounts, refresh tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:00:00+00:00

Personal data columns (resident.phone, resident.session_key, beneficiary.name) hold Fernet ciphertext
(backend.core.crypto.EncryptedText); resident.phone_hash is a keyed HMAC for lookups.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('refresh_token',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('subject_kind', sa.String(length=10), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_token_token_hash'))
    )
    with op.batch_alter_table('refresh_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_token_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refresh_token_subject_id'), ['subject_id'], unique=False)

    op.create_table('resident',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('unionid', sa.String(length=64), nullable=True),
    sa.Column('nickname', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('phone_country_code', sa.String(length=8), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('session_key', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active', 'blocked')", name=op.f('ck_resident_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident')),
    sa.UniqueConstraint('openid', name=op.f('uq_resident_openid'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_unionid'), ['unionid'], unique=False)

    op.create_table('staff_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('supplier_id', sa.Uuid(), nullable=True),
    sa.Column('operator_id', sa.Uuid(), nullable=True),
    sa.Column('region_level', sa.String(length=10), nullable=True),
    sa.Column('region_id', sa.Uuid(), nullable=True),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role = 'supplier_staff' AND supplier_id IS NOT NULL AND operator_id IS NULL AND region_level IS NULL) OR (role = 'operator_staff' AND operator_id IS NOT NULL AND supplier_id IS NULL AND region_level IS NULL) OR (role = 'regulator' AND supplier_id IS NULL AND operator_id IS NULL AND region_level IN ('street', 'district', 'city') AND region_id IS NOT NULL) OR (role = 'admin' AND supplier_id IS NULL AND operator_id IS NULL AND region_level IS NULL)", name=op.f('ck_staff_account_scope')),
    sa.CheckConstraint("role IN ('supplier_staff', 'operator_staff', 'regulator', 'admin')", name=op.f('ck_staff_account_role')),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], name=op.f('fk_staff_account_operator_id_operator')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_staff_account_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_account_username'))
    )
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_account_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_account_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('beneficiary',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('dibao', sa.Boolean(), nullable=False),
    sa.Column('disability', sa.Boolean(), nullable=False),
    sa.Column('entitlements_verified_by', sa.Uuid(), nullable=True),
    sa.Column('entitlements_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("relation IN ('self', 'parent', 'child', 'spouse', 'other')", name=op.f('ck_beneficiary_relation')),
    sa.ForeignKeyConstraint(['entitlements_verified_by'], ['staff_account.id'], name=op.f('fk_beneficiary_entitlements_verified_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_beneficiary_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary'))
    )
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiary_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('uq_beneficiary_one_self', ['resident_id'], unique=True, postgresql_where=sa.text("relation = 'self' AND deleted_at IS NULL"), sqlite_where=sa.text("relation = 'self' AND deleted_at IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.drop_index('uq_beneficiary_one_self', postgresql_where=sa.text("relation = 'self' AND deleted_at IS NULL"), sqlite_where=sa.text("relation = 'self' AND deleted_at IS NULL"))
        batch_op.drop_index(batch_op.f('ix_beneficiary_resident_id'))

    op.drop_table('beneficiary')
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_account_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_staff_account_operator_id'))

    op.drop_table('staff_account')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_unionid'))
        batch_op.drop_index(batch_op.f('ix_resident_phone_hash'))

    op.drop_table('resident')
    with op.batch_alter_table('refresh_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refresh_token_subject_id'))
        batch_op.drop_index(batch_op.f('ix_refresh_token_family_id'))

    op.drop_table('refresh_token')
