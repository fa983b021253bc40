import { expect, test } from 'vitest';
import { chosen, deviceChoices, deviceLabel, loadDevices, micConstraints, saveDevices } from '../src/voice/devices';

/** What Chromium lists with its fake devices, plus the ids real Chrome repeats. */
const LISTED = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default - Fake Default Audio Input' },
  { deviceId: 'communications', kind: 'audioinput', label: 'Communications - Fake Default Audio Input' },
  { deviceId: 'a1', kind: 'audioinput', label: 'Fake Audio Input 1' },
  { deviceId: 'a2', kind: 'audioinput', label: 'USB Headset Microphone (046d:0a44)' },
  { deviceId: 'a2', kind: 'audioinput', label: 'USB Headset Microphone (046d:0a44)' },
  { deviceId: 'o1', kind: 'audiooutput', label: 'Fake Audio Output 1' },
  { deviceId: 'v1', kind: 'videoinput', label: '' },
  { deviceId: 'v2', kind: 'videoinput', label: '' },
] as const;

test("each menu starts with the browser's default, lists each device of its kind once, without Chrome's repeated ids", () => {
  expect(deviceChoices('mic', LISTED)).toEqual([
    { value: '', label: 'Default microphone' },
    { value: 'a1', label: 'Fake Audio Input 1' },
    { value: 'a2', label: 'USB Headset Microphone' },
  ]);
  expect(deviceChoices('speaker', LISTED).map((c) => c.value)).toEqual(['', 'o1']);
});

test('devices not yet named (no permission) are numbered, not left blank', () => {
  expect(deviceChoices('camera', LISTED).map((c) => c.label)).toEqual(['Default camera', 'Camera 1', 'Camera 2']);
});

test("a USB id says nothing to a player and goes; the rest of a name stays", () => {
  expect(deviceLabel('Logitech Webcam C270 (046d:0825)')).toBe('Logitech Webcam C270');
  expect(deviceLabel('Built-in Microphone')).toBe('Built-in Microphone');
});

test('the saved device shows as chosen while it is plugged in; once gone, the default', () => {
  const mics = deviceChoices('mic', LISTED);
  expect(chosen(mics, 'a2')).toBe('a2');
  expect(chosen(mics, 'unplugged')).toBe('');
  expect(chosen(mics, undefined)).toBe('');
});

test('the choice is kept on this device and read back; defaults are not stored, bad data reads as defaults', () => {
  const box = new Map<string, string>();
  const store = { getItem: (k: string) => box.get(k) ?? null, setItem: (k: string, v: string) => void box.set(k, v) };
  saveDevices({ mic: 'a2', speaker: undefined, camera: '' }, store);
  expect(JSON.parse(box.get('virtubar.devices')!)).toEqual({ mic: 'a2' });
  expect(loadDevices(store)).toEqual({ mic: 'a2' });
  box.set('virtubar.devices', '{"mic": 7, "camera": "v1", "evil": "x"}');
  expect(loadDevices(store)).toEqual({ camera: 'v1' });
  box.set('virtubar.devices', 'not json');
  expect(loadDevices(store)).toEqual({});
});

test('a chosen microphone is asked for exactly; none means the default, with echo cancellation either way', () => {
  expect(micConstraints('a2')).toEqual({ deviceId: { exact: 'a2' }, echoCancellation: true, noiseSuppression: true });
  expect(micConstraints()).toMatchObject({ deviceId: undefined, echoCancellation: true });
});
