/** The focus timer ring's time math: every member counts down from the
 * server's clock (local time + heartbeat offset), so two players whose local
 * clocks disagree still show the same time. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClockSync } from '../src/net/realtime/clock';
import { clockLabel, fractionLeft, nextTimer, phaseLabel, remainingMs, type TimerShown } from '../src/focus/timerClock';
import { SimTimer } from '../src/focus/timerSim';
import { phaseEndActions } from '../src/focus/timerChime';
import { mayControl } from '../src/focus/timerRing';

const started = (endsAtServerMs: number, extra: Partial<TimerShown> = {}) =>
  nextTimer(null, { t: 'timer_started', payload: { roomId: 'r', duration: 25, type: 'work', endsAtServerMs, cycle: 1, cycles: 1, ...extra } })!;

describe('the ring counts down on the server clock', () => {
  it('shows the same time to two players whose local clocks differ', () => {
    const server = 1_000_000;
    const ends = server + 25 * 60_000;
    // Ann's clock is 7 s fast, Bob's 3 s slow; each learned its offset from heartbeat_acks (40 ms and 120 ms round trips).
    const ann = new ClockSync(), bob = new ClockSync();
    ann.addAck(server + 7_000 - 20, server, server + 7_000 + 20);
    bob.addAck(server - 3_000 - 60, server, server - 3_000 + 60);
    const t = started(ends);
    const annLeft = remainingMs(t, ann.serverNow(server + 7_000 + 5_000));
    const bobLeft = remainingMs(t, bob.serverNow(server - 3_000 + 5_000));
    expect(annLeft).toBe(25 * 60_000 - 5_000);
    expect(Math.abs(annLeft - bobLeft)).toBeLessThan(100);
    expect(clockLabel(annLeft)).toBe('24:55');
  });

  it('stands still while paused and stops at zero', () => {
    const t = nextTimer(started(60_000), { t: 'timer_updated', payload: { roomId: 'r', remaining: 90_500, paused: true } })!;
    expect(remainingMs(t, 0)).toBe(90_500);
    expect(remainingMs(t, 10_000_000)).toBe(90_500);
    expect(clockLabel(remainingMs(t, 0))).toBe('1:31');
    const running = started(60_000);
    expect(remainingMs(running, 70_000)).toBe(0);
    expect(fractionLeft(running, 60_000 - 25 * 30_000)).toBeCloseTo(0.5);
  });

  it('follows resume, reset, completion and a late joiner\'s room_state', () => {
    const paused = nextTimer(started(60_000), { t: 'timer_updated', payload: { roomId: 'r', remaining: 30_000, paused: true } });
    const resumed = nextTimer(paused, { t: 'timer_updated', payload: { roomId: 'r', remaining: 30_000, paused: false, endsAtServerMs: 130_000 } })!;
    expect(remainingMs(resumed, 100_000)).toBe(30_000);
    expect(nextTimer(resumed, { t: 'timer_updated', payload: { roomId: 'r', remaining: 0, paused: true, stopped: true } })).toBeNull();
    expect(nextTimer(resumed, { t: 'timer_completed', payload: { roomId: 'r', type: 'work' } })).toBeNull();
    const timer = { duration: 5, type: 'break' as const, endsAtServerMs: 500_000, remaining: 200_000, paused: false, cycle: 2, cycles: 4, breakDuration: 5 };
    const late = nextTimer(null, { t: 'room_state', payload: { roomId: 'r', serverTimeMs: 300_000, members: [], timer } })!;
    expect(remainingMs(late, 300_000)).toBe(200_000);
    expect(phaseLabel(late)).toBe('Break · 2 of 4');
    expect(phaseLabel({ ...late, cycles: 0 })).toBe('Break · cycle 2');
  });

  it('labels hours and rounds seconds up', () => {
    expect(clockLabel(3_723_000)).toBe('1:02:03');
    expect(clockLabel(1)).toBe('0:01');
    expect(clockLabel(0)).toBe('0:00');
  });
});

describe('the offline demo timer', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('rolls a cycle from work to break by itself', () => {
    vi.useFakeTimers({ now: 0 });
    const seen: string[] = [];
    const timer = new SimTimer('r', (t, p) => seen.push(`${t}:${'type' in p ? p.type : ''}`), 1000);
    timer.handle({ t: 'start_timer', duration: 2, type: 'work', breakDuration: 1, cycles: 2 }, 0);
    vi.advanceTimersByTime(2000);
    expect(timer.current?.type).toBe('break');
    vi.advanceTimersByTime(1000 + 2000 + 10);
    expect(seen).toEqual(['timer_started:work', 'timer_completed:work', 'timer_started:break', 'timer_completed:break',
      'timer_started:work', 'timer_completed:work']);
    expect(timer.current).toBeNull();
  });
});

describe('a phase end follows the notification preferences', () => {
  const prefs = (over: Partial<{ phaseEndSound: boolean; browserNotification: boolean; volume: number }>) =>
    ({ phaseEndSound: true, browserNotification: false, volume: 60, ...over });

  it('the chime plays only when the player wants it, as loud as they chose', () => {
    expect(phaseEndActions(prefs({}), false, 'granted')).toEqual({ chime: true, gain: expect.closeTo(0.24, 5), notify: false });
    expect(phaseEndActions(prefs({ phaseEndSound: false }), false, 'granted').chime).toBe(false);
    expect(phaseEndActions(prefs({ volume: 0 }), false, 'granted').chime).toBe(false);
    expect(phaseEndActions(prefs({ volume: 100 }), false, 'default').gain).toBeCloseTo(0.4);
    expect(phaseEndActions(prefs({ volume: 100 }), false, 'default').gain).toBeGreaterThan(phaseEndActions(prefs({ volume: 20 }), false, 'default').gain);
  });

  it('a browser notification only when asked for, allowed, and the tab is in the background', () => {
    expect(phaseEndActions(prefs({ browserNotification: true }), true, 'granted').notify).toBe(true);
    expect(phaseEndActions(prefs({ browserNotification: true }), false, 'granted').notify).toBe(false);
    expect(phaseEndActions(prefs({ browserNotification: true }), true, 'denied').notify).toBe(false);
    expect(phaseEndActions(prefs({ browserNotification: false }), true, 'granted').notify).toBe(false);
    expect(phaseEndActions(prefs({ browserNotification: true, phaseEndSound: false }), true, 'granted')).toEqual({ chime: false, gain: 0, notify: true });
  });

  it('the controls are for everyone unless the owner keeps them to hosts', () => {
    expect(mayControl({ owner: false, hostsOnly: false })).toBe(true);
    expect(mayControl({ owner: false, hostsOnly: true })).toBe(false);
    expect(mayControl({ owner: true, hostsOnly: true })).toBe(true);
  });
});
