# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
callbot task show --task example-task
callbot task list --status Running,Paused --all
