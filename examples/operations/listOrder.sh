# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
callbot orders --task example-task --out orders.csv
