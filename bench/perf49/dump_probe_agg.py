import json,sys,statistics as st
rows=[json.loads(l) for l in open(sys.argv[1])]
keys=["write_ms","scan_ms","scan2_ms","join_ms","join_join_ms","join_enc_ms","join2_ms","intern_ms","intern2_ms"]
for rt in ["node","deno","bun"]:
  rs=[r for r in rows if r["rt"]==rt]
  if not rs: continue
  print(rt,"n=%d load %s"%(len(rs),[r["load"] for r in rs]), "calls",rs[0]["rows"],"strings",rs[0]["intern_strings"],"distinct",rs[0]["intern_distinct"],"chars",rs[0]["join_chars"], "surrogate chunks", rs[0]["join_surrogate_chunks"], "join bytes", rs[0]["join_bytes"], "intern bytes", rs[0]["intern_bytes"])
  for k in keys:
    v=[r[k] for r in rs]
    print("  %-16s median %7.1f  min %7.1f  ns/call %5.0f"%(k,st.median(v),min(v),st.median(v)*1e6/rs[0]["rows"]))
