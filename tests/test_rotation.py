"""The rotation's rules, exercised through the service layer (no HTTP)."""

import pytest

from app.extensions import db
from app.models import AssignmentEvent, Rotation, Ticket, User
from app.rotation import RoundRobinAssigner
from app.tickets.service import submit_ticket
from app.users.service import create_user, delete_user, update_user
from tests.conftest import cursor


def rotation_turns():
    """Who received each ticket the rotation handed out, in order."""
    db.session.rollback()
    query = (
        db.select(AssignmentEvent.to_user_id)
        .where(AssignmentEvent.method == "rotation")
        .order_by(AssignmentEvent.id)
    )
    return list(db.session.scalars(query))


def raise_tickets(count, raised_by=1):
    result = []
    for number in range(count):
        ticket = submit_ticket(f"ticket {number}", raised_by).ticket
        result.append(ticket.assigned_to_id)
    return result


def test_an_even_sized_rotation_is_served_evenly(team):
    assert raise_tickets(8) == [2, 3, 4, 5, 2, 3, 4, 5]


def test_ten_tickets_cycle_through_everyone_but_the_requester(team):
    assert raise_tickets(10) == [2, 3, 4, 5, 2, 3, 4, 5, 2, 3]
    assert cursor() == 3


def test_first_ticket_on_an_empty_database_is_assigned(team):
    db.session.execute(db.delete(Rotation))
    db.session.commit()

    ticket = submit_ticket("first", 1).ticket

    assert ticket.assigned_to_id == 2
    assert cursor() == 2


def test_the_rotation_follows_join_order(app):
    first, second, third = (create_user(name) for name in ("C", "A", "B"))

    assert raise_tickets(3, raised_by=first.id) == [second.id, third.id, second.id]


def test_the_requester_is_passed_over_and_the_cursor_moves_to_the_assignee(team):
    raise_tickets(1)  # to 2

    ticket = submit_ticket("mine", 3).ticket

    assert ticket.assigned_to_id == 4
    assert cursor() == 4


def test_only_active_members_are_eligible(team):
    update_user(4, active=False)

    assert raise_tickets(4) == [2, 3, 5, 2]


def test_deactivating_the_cursors_member_continues_after_them(team):
    assert raise_tickets(2) == [2, 3]

    update_user(3, active=False)  # hands 3's ticket to the rotation: 4's turn
    raise_tickets(2)

    assert rotation_turns() == [2, 3, 4, 5, 2]


def test_deactivating_a_member_before_the_cursor_shifts_nobody(team):
    assert raise_tickets(2) == [2, 3]

    update_user(2, active=False)  # hands 2's ticket to the rotation: 4's turn
    raise_tickets(2)

    assert rotation_turns() == [2, 3, 4, 5, 3]


def test_a_reactivated_member_returns_to_their_place_without_catch_up(team):
    assert raise_tickets(1) == [2]
    update_user(3, active=False)
    assert raise_tickets(3) == [4, 5, 2]

    update_user(3, active=True)

    assert raise_tickets(2) == [3, 4]


def test_a_new_member_joins_at_the_end_of_the_cycle(team):
    raise_tickets(20)
    assert cursor() == 5

    newcomer = create_user("Newcomer").id

    assert raise_tickets(10) == [newcomer, 2, 3, 4, 5] * 2


def test_a_new_member_added_mid_cycle_waits_for_the_rotation_to_reach_them(team):
    assert raise_tickets(2) == [2, 3]

    newcomer = create_user("Newcomer").id

    assert raise_tickets(6) == [4, 5, newcomer, 2, 3, 4]


def test_nobody_eligible_saves_the_ticket_unassigned_and_keeps_the_cursor(team):
    raise_tickets(2)
    for member in (2, 3, 4, 5):
        update_user(member, active=False)
    before = cursor()

    ticket = submit_ticket("alone", 1).ticket

    assert ticket.id is not None
    assert ticket.assigned_to_id is None and ticket.assigned_at is None
    assert cursor() == before


def test_no_members_at_all_leaves_the_ticket_unassigned(app):
    requester = create_user("Solo")

    assert submit_ticket("anyone?", requester.id).ticket.assigned_to_id is None
    assert cursor() is None


def test_the_cursor_survives_a_deleted_member(team):
    extra = create_user("Temp").id
    raise_tickets(4)  # 2, 3, 4, 5: the cursor is on 5
    delete_user(extra)

    assert raise_tickets(2) == [2, 3]


def test_member_ids_are_never_reused(team):
    temp = create_user("Temp").id
    delete_user(temp)

    assert create_user("Later").id == temp + 1


def test_a_failed_save_does_not_move_the_cursor(team, monkeypatch):
    raise_tickets(1)  # to 2

    def broken_flush(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(db.session, "flush", broken_flush)
        with pytest.raises(RuntimeError):
            submit_ticket("lost", 1)

    assert cursor() == 2
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    assert raise_tickets(1) == [3]


def test_preview_matches_the_next_assignments_without_moving_the_cursor(team):
    raise_tickets(3)
    update_user(2, active=False)  # 2's ticket goes to 5
    assigner = RoundRobinAssigner()

    preview = [user.id for user in assigner.preview(5, raised_by_id=1)]

    assert cursor() == 5
    assert preview == [3, 4, 5, 3, 4]
    assert raise_tickets(5) == preview


def test_preview_is_empty_when_nobody_is_eligible(app):
    assert RoundRobinAssigner().preview(3) == []


def test_order_lists_active_members_by_id(team):
    update_user(3, active=False)

    assert [u.id for u in RoundRobinAssigner().order()] == [1, 2, 4, 5]


def test_each_rotation_keeps_its_own_cursor_row(team):
    ticket = Ticket(description="x", raised_by=db.session.get(User, 1))
    db.session.add(ticket)
    RoundRobinAssigner("second").assign(ticket)
    db.session.commit()
    raise_tickets(1)

    query = db.select(Rotation.name, Rotation.last_assigned_id)
    rows = dict(db.session.execute(query).all())
    assert rows == {"second": 2, "default": 2}
