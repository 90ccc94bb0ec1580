# The local mock and its demo account unless CALLBOT_BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY are set.
# call-list.csv: a header row (phone,name,customer,other,param.NAME…), one order a row
callbot import call-list.csv --task example-task
