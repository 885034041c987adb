// The back service of the two-service example (README, "Servers, workers and services"): prices.
// `GET /price/<sku>` answers the price as JSON, with the traceparent the request carried;
// `POST /stop` ends the service. Listens on PORT (default: a free port), and prints where.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

const PRICES: Record<string, number> = { plum: 120, pear: 90, fig: 310 };

function priceOf(sku: string): number {
  const cents = PRICES[sku];
  if (cents === undefined) throw new RangeError(`no such product: ${sku}`);
  return cents;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === "POST" && req.url === "/stop") {
    res.end("bye\n", () => stop());
    return;
  }
  const sku = (req.url ?? "").replace(/^\/price\//, "");
  const body = { sku, cents: priceOf(sku), traceparent: req.headers.traceparent ?? null };
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  try {
    handle(req, res);
  } catch (e) {
    res.statusCode = 404;
    res.end(String(e));
  }
});

function stop(): void {
  server.close();
  server.closeAllConnections();
}

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`back listening on ${typeof address === "object" ? address?.port : address}`);
});
