"""Live chat routes: conversations, messages, AI suggestions, takeover, release, notes, export."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.api.params import Id, IdFilter, Offset
from ai_agents.core.types import ChannelType
from ai_agents.services.context import AppContext
from ai_agents.services.workspace import conversations, suggestions

router = APIRouter(prefix="/api/conversations", tags=["live chat"], dependencies=[Depends(require_token)])


@router.get("", summary="Conversations, newest activity first")
def list_conversations(
    agent_id: IdFilter = None,
    integration_id: IdFilter = None,
    channel: ChannelType | None = None,
    manual_mode: bool | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    ctx: AppContext = Depends(get_ctx),
):
    items, total = conversations.list_conversations(
        ctx,
        agent_id=agent_id,
        integration_id=integration_id,
        channel=channel,
        manual_mode=manual_mode,
        limit=limit,
        offset=offset,
    )
    return ok(items, meta={"total": total, "limit": limit, "offset": offset})


@router.get("/{conversation_id}", summary="A conversation with its notes")
def get_conversation(conversation_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(conversations.get_conversation(ctx, conversation_id))


@router.get("/{conversation_id}/messages",
            summary="Messages, oldest first (page back with before_id, forward with after_id)")
def list_messages(
    conversation_id: Id,
    limit: int = Query(100, ge=1, le=1000),
    before_id: IdFilter = None,
    after_id: IdFilter = None,
    ctx: AppContext = Depends(get_ctx),
):
    return ok(conversations.list_messages(ctx, conversation_id, limit=limit, before_id=before_id, after_id=after_id))


@router.post("/{conversation_id}/messages", status_code=201, summary="Send a manager message")
async def send_message(
    conversation_id: Id, body: conversations.ManagerMessage, ctx: AppContext = Depends(get_ctx)
):
    view = await conversations.send_manager_message(ctx, conversation_id, body)
    return ok(view, "Message queued for delivery", status=201)


@router.post(
    "/{conversation_id}/suggestions/{message_id}/send", status_code=201,
    summary="Send an AI suggestion (a reply written while the conversation was taken over)",
)
def send_suggestion(
    conversation_id: Id,
    message_id: Id,
    body: suggestions.SuggestionSend | None = None,
    ctx: AppContext = Depends(get_ctx),
):
    author = body.author if body else "manager"
    view = suggestions.send_suggestion(ctx, conversation_id, message_id, author)
    return ok(view, "Suggestion queued for delivery", status=201)


@router.post("/{conversation_id}/suggestions/{message_id}/discard", summary="Discard an AI suggestion")
def discard_suggestion(conversation_id: Id, message_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(suggestions.discard_suggestion(ctx, conversation_id, message_id), "Suggestion discarded")


@router.post("/{conversation_id}/takeover", summary="Manual mode: the AI stops answering")
def takeover(conversation_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(
        conversations.set_manual_mode(ctx, conversation_id, True, "taken over by manager"),
        f"Conversation {conversation_id} taken over by manager",
    )


@router.post("/{conversation_id}/release", summary="Back to the AI agent")
def release(conversation_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(conversations.set_manual_mode(ctx, conversation_id, False), "Conversation released")


@router.post("/{conversation_id}/notes", status_code=201, summary="Add a private note")
def add_note(conversation_id: Id, body: conversations.NoteCreate, ctx: AppContext = Depends(get_ctx)):
    return ok(conversations.add_note(ctx, conversation_id, body), "Note saved", status=201)


@router.get("/{conversation_id}/export", summary="Download the conversation as CSV")
def export(conversation_id: Id, ctx: AppContext = Depends(get_ctx)):
    filename, text = conversations.export_csv(ctx, conversation_id)
    return Response(
        content="\ufeff" + text,  # BOM: spreadsheet programs then read UTF-8 correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
