"""`flask users create`: staff accounts with hashed passwords, from a prompt or standard input."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from participation.extensions import db
from participation.staff.models import Role, User


def test_create_user_reads_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "Ana@Example.org", "--role", "staff", "--partner", "Bäckby Ungdomsförening"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "ana@example.org" and user.role is Role.STAFF
    assert user.partner.name == "Bäckby Ungdomsförening"
    assert "a long enough password" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "a long enough password")


def test_refuses_short_password_duplicate_and_unknown_role(runner):
    assert (
        runner.invoke(args=["users", "create", "a@b.se", "--role", "admin"], input="short\n").exit_code == 1
    )
    assert (
        runner.invoke(
            args=["users", "create", "a@b.se", "--role", "admin"], input="long password 1\n"
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["users", "create", "A@b.se", "--role", "admin"], input="long password 2\n")
    assert again.exit_code == 1 and "already exists" in again.output
    assert (
        runner.invoke(
            args=["users", "create", "c@b.se", "--role", "boss"], input="long password 3\n"
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            args=["users", "create", "not-an-email", "--role", "analyst"], input="long password 4\n"
        ).exit_code
        == 1
    )
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
