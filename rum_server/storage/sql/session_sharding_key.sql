-- A session's rows on one shard; rows of other senders (no session id) spread evenly.
if(mapContains(LogAttributes, '${SESSION_ID}'), cityHash64(LogAttributes['${SESSION_ID}']), rand())
