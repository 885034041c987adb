const t0 = performance.now();
await import("zod");
console.log("import zod ms", (performance.now() - t0).toFixed(1));
