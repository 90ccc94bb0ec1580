# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
callbot task create --task example-task --scene scene-1001 --name "Bill reminder" --max-call 5 --dial-hours 09:00-18:00
