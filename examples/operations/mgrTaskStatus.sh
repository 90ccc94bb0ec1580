# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
callbot task start --task example-task
callbot task pause --task example-task
callbot task complete --task example-task
