"""The ids Slack sends back: actions, views and the blocks of their inputs."""

A_TAKE = "ticket_take"
A_ESCALATE = "ticket_escalate"
A_RESOLVE = "ticket_resolve"
A_REOPEN = "ticket_reopen"
A_MORE = "ticket_more"
A_TAKE_CONFIRM = "ticket_take_confirm"
A_TAKE_LEAVE = "ticket_take_leave"
A_REPEAT_ADD = "repeat_add"
A_REPEAT_NEW = "repeat_new"
A_REPEAT_SPLIT = "repeat_split"  # "not the same problem" on a silent join
A_REPEAT_SAME = "repeat_same"  # "same problem as #N" on a suggestion
A_MERGE_SUGGESTED = "ticket_merge_suggested"  # the agent merges a suggested repeat
V_MERGE = "ticket_merge"
B_TARGET = "target"
V_FORM = "lapor_form"
V_ESCALATE = "ticket_escalate_note"
V_RESOLVE = "ticket_resolve_note"
A_NOTE = "ticket_add_note"  # "Add internal note" on the card
V_NOTE = "ticket_internal_note"
A_FILE_NEW = "ticket_file_new"  # a reply to a closed ticket, filed as a new ticket
A_SAVED = "ticket_saved_reply"  # "Send a saved reply" on the card
A_SAVED_PICK = "saved_reply_pick"  # a reply chosen in its modal: the preview follows
V_SAVED = "ticket_saved_reply_send"
B_SAVED = "saved_reply"
A_WAIT = "ticket_wait"  # "Waiting for reply": the ticket waits for its reporter
A_WAIT_OFF = "ticket_wait_off"  # the same toggle, pressed again: it no longer waits
A_PRIORITY = "ticket_priority"  # the card's priority select (issue 20)
B_SUMMARY, B_DETAILS, B_CATEGORY, B_LOCATION, B_URGENCY, B_NOTE = (
    "summary",
    "details",
    "category",
    "location",
    "urgency",
    "note",
)
FIELD = "value"  # the action_id of every input, so state values read alike
HISTORY_SHOWN = 8
