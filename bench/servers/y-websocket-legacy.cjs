// The old y-websocket server (y-websocket@2 bin/utils), in memory, on $PORT: a benchmark peer.
const http = require("node:http");
const { WebSocketServer } = require("ws");
const { setupWSConnection } = require("y-websocket-legacy/bin/utils");

const server = http.createServer((_req, res) => res.end("ok"));
const wss = new WebSocketServer({ noServer: true });
wss.on("connection", (ws, req) => setupWSConnection(ws, req));
server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req)));
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
