// Forked by fork.mjs: answers one message over IPC.
process.on("message", (m) => {
  const sum = m.numbers.reduce((a, b) => a + b, 0);
  console.log(`child argv ${process.argv.slice(2).join(" ")}; execArgv ${JSON.stringify(process.execArgv)}`);
  process.send({ op: m.op, result: sum });
});
process.on("disconnect", () => process.exit(0));
