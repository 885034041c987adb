// The front service of the two-service example (README, "Servers, workers and services"):
// orders. `GET /order/<sku>/<count>` asks the back service (BACK_URL) for the price with fetch and
// answers the total as JSON; `POST /stop` ends the service. Listens on PORT (default: a free
// port), and prints where.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

const BACK_URL = process.env.BACK_URL ?? "http://127.0.0.1:8081";

interface Price {
  sku: string;
  cents: number;
  traceparent: string | null;
}

async function fetchPrice(sku: string): Promise<Price> {
  const response = await fetch(`${BACK_URL}/price/${encodeURIComponent(sku)}`);
  if (!response.ok) throw new Error(`back service: ${response.status} ${await response.text()}`);
  return await response.json() as Price;
}

async function order(sku: string, count: number) {
  const price = await fetchPrice(sku);
  return { sku, count, total: price.cents * count, sent: price.traceparent };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === "POST" && req.url === "/stop") {
    res.end("bye\n", () => stop());
    return;
  }
  const [, , sku, count] = (req.url ?? "").split("/");
  const body = await order(sku, Number(count ?? 1));
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  handle(req, res).catch((e) => {
    res.statusCode = 502;
    res.end(String(e));
  });
});

function stop(): void {
  server.close();
  server.closeAllConnections();
}

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`front listening on ${typeof address === "object" ? address?.port : address}`);
});
