"""Imports every model module so the metadata is complete for Alembic and the tests."""

from participation.actions.models import Action
from participation.api.models import ApiToken
from participation.audit.models import AuditEvent
from participation.core.changes import DataChange
from participation.core.floods import FloodBurst
from participation.followup.models import FollowUp
from participation.forum.models import ForumItem, ForumParticipant, ForumSession, ForumVote
from participation.insights.models import ArchivedCell, CodebookVersion, PopulationFigure, TextCode
from participation.measurement.models import DataPoint, Indicator, Program, ProgramMeasure
from participation.placements.models import Placement, PlacementScan
from participation.staff.models import Partner, Role, User
from participation.surveys.models import Answer, Option, Question, Response, Survey
from participation.themes.models import Theme, VisionGoal

__all__ = [
    "Action",
    "Answer",
    "ApiToken",
    "ArchivedCell",
    "CodebookVersion",
    "DataChange",
    "FloodBurst",
    "FollowUp",
    "DataPoint",
    "Indicator",
    "Program",
    "ProgramMeasure",
    "PopulationFigure",
    "TextCode",
    "AuditEvent",
    "ForumItem",
    "ForumParticipant",
    "ForumSession",
    "ForumVote",
    "Option",
    "Partner",
    "Placement",
    "PlacementScan",
    "Question",
    "Response",
    "Role",
    "Survey",
    "Theme",
    "User",
    "VisionGoal",
]
