# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
callbot import call-list.csv --task example-task-2 --create-task --scene scene-1001 --task-name "Bill reminder, second list"
