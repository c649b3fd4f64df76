"""Declarative ticket workflows: definitions read from YAML, and the checks of a transition.

The definitions (`definition`, `loading`) know nothing of HTTP or the database; `service`
turns refused transitions into problem+json errors.
"""

from servicedesk.tickets.workflow.definition import (
    KNOWN_ACTIONS,
    KNOWN_FIELDS,
    KNOWN_ROLES,
    TICKET_TYPES,
    Label,
    MissingFields,
    State,
    StateKind,
    Transition,
    TransitionError,
    TransitionForbidden,
    TransitionNotFromHere,
    UnknownTransition,
    Workflow,
)
from servicedesk.tickets.workflow.loading import (
    WorkflowDefinitionError,
    default_directory,
    load_workflow,
    load_workflows,
)

__all__ = [
    "KNOWN_ACTIONS",
    "KNOWN_FIELDS",
    "KNOWN_ROLES",
    "TICKET_TYPES",
    "Label",
    "MissingFields",
    "State",
    "StateKind",
    "Transition",
    "TransitionError",
    "TransitionForbidden",
    "TransitionNotFromHere",
    "UnknownTransition",
    "Workflow",
    "WorkflowDefinitionError",
    "default_directory",
    "load_workflow",
    "load_workflows",
]
