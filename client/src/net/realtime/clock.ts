/** Server clock estimate from heartbeat_ack round trips: the sample with the
 * shortest round trip among the recent ones has the least queueing error. */
const WINDOW = 8;

export class ClockSync {
  private samples: { rtt: number; offset: number }[] = [];
  private best = 0;
  private known = false;

  /** `clientTimeMs` is echoed by the server; `receivedMs` is the local time the ack arrived. */
  addAck(clientTimeMs: number, serverTimeMs: number, receivedMs: number): void {
    const rtt = Math.max(0, receivedMs - clientTimeMs);
    this.samples.push({ rtt, offset: serverTimeMs - (clientTimeMs + rtt / 2) });
    if (this.samples.length > WINDOW) this.samples.shift();
    let pick = this.samples[0];
    for (const s of this.samples) if (s.rtt < pick.rtt) pick = s;
    this.best = pick.offset;
    this.known = true;
  }

  /** A first guess from a server timestamp before any heartbeat was answered. */
  seed(serverTimeMs: number, receivedMs: number): void {
    if (!this.known) this.best = serverTimeMs - receivedMs;
  }

  get offsetMs(): number { return this.best; }
  serverNow(localMs: number): number { return localMs + this.best; }
}
