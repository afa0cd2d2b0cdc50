import { ChatClient, fetchDevToken } from "./dist/src/index.js";
const url = process.argv[2];
const { accessToken: token } = await fetchDevToken(url, { userName: "frozen" + process.pid });
const client = new ChatClient({ serverUrl: url, accessTokenFactory: () => token, statefulReconnect: true });
await client.start();
console.log("connected");
setInterval(() => {}, 1000);
