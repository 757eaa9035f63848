"""`/lapor` and the ticket buttons and modals: `command` (the slash command), `form` (the
form and the modals after it), `card` (the buttons on a ticket), `repeats` (answers to the matcher's guesses). Each listener does at most
one short transaction, acknowledges with what the person should see, and leaves Slack calls
to the runtime's pools and sender."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import tickets as blocks
from bot.listeners._common import bind
from bot.listeners.tickets import card, command, form, priority, repeats
from bot.runtime import Runtime
from storage import tickets
from storage.tickets import waiting


def register(app: App, runtime: Runtime) -> None:
    app.command("/lapor")(bind(command.lapor, runtime=runtime))
    app.view(blocks.V_FORM)(bind(form.form_submitted, runtime=runtime))
    app.action(blocks.A_REPEAT_ADD)(bind(form.repeat_choice, runtime=runtime))
    app.action(blocks.A_REPEAT_NEW)(bind(form.repeat_choice, runtime=runtime))
    app.view(blocks.V_MERGE)(bind(form.merge_submitted, runtime=runtime))
    app.action(blocks.A_TAKE)(bind(card.button, runtime=runtime, action=tickets.take))
    app.action(blocks.A_REOPEN)(bind(card.button, runtime=runtime, action=tickets.reopen))
    # "Waiting for reply": the ticket waits for its reporter, or (pressed again) no longer
    app.action(blocks.A_WAIT)(bind(card.button, runtime=runtime, action=waiting.wait_for_reporter))
    app.action(blocks.A_WAIT_OFF)(bind(card.button, runtime=runtime, action=waiting.stop_waiting))
    app.action(blocks.A_ESCALATE)(
        bind(card.note_button, runtime=runtime, kind="escalate", check=tickets.check_escalate)
    )
    app.action(blocks.A_RESOLVE)(
        bind(card.note_button, runtime=runtime, kind="resolve", check=tickets.check_resolve)
    )
    app.view(blocks.V_ESCALATE)(bind(card.note_submitted, runtime=runtime, kind="escalate"))
    app.view(blocks.V_RESOLVE)(bind(card.note_submitted, runtime=runtime, kind="resolve"))
    app.action(blocks.A_TAKE_CONFIRM)(bind(card.take_anyway, runtime=runtime))
    app.action(blocks.A_TAKE_LEAVE)(bind(card.leave_it, runtime=runtime))
    app.action(blocks.A_MORE)(bind(card.more, runtime=runtime))
    app.action(blocks.A_PRIORITY)(bind(priority.priority_chosen, runtime=runtime))
    app.action(blocks.A_REPEAT_SPLIT)(bind(repeats.split_clicked, runtime=runtime))
    app.action(blocks.A_REPEAT_SAME)(bind(repeats.same_clicked, runtime=runtime))
    app.action(blocks.A_MERGE_SUGGESTED)(bind(repeats.merge_suggested, runtime=runtime))
