import { expect, test } from 'vitest';
import { isSpeaking } from '../src/voice/voice';

test('silence is not speaking; a voice-level signal is', () => {
  const quiet = new Float32Array(512).fill(0.001);
  const loud = Float32Array.from({ length: 512 }, (_, i) => 0.2 * Math.sin(i / 5));
  expect(isSpeaking(quiet)).toBe(false);
  expect(isSpeaking(loud)).toBe(true);
});
