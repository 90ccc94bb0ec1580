/** What `GET` / `POST /__mock/clock` answer: virtual Unix seconds, the speed, callbacks not yet delivered. */
export interface MockClock {
  now: number;
  speed: number;
  pendingCallbacks: number;
}

async function clockAnswer(response: Response): Promise<MockClock> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/__mock/clock answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as MockClock;
}

/** The mock's virtual clock, unmoved. */
export async function readClock(mockUrl: string): Promise<MockClock> {
  return clockAnswer(await fetch(`${mockUrl}/__mock/clock`));
}

/** Moves the mock's virtual clock `seconds` forward and waits until the callbacks due so far are delivered. */
export async function advanceClock(mockUrl: string, seconds: number): Promise<MockClock> {
  return clockAnswer(
    await fetch(`${mockUrl}/__mock/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advance: seconds, settle: true }),
    }),
  );
}
