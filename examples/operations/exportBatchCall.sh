# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
# exportBatchCall, then listOrderDetail for the orders that were called: one row per order
callbot export --task example-task --out export.csv
