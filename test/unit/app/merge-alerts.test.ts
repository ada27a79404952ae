import { describe, expect, it } from 'vitest';
import { mergeAlertsByCode } from '../../../shared/app/evaluate/merge-alerts.ts';

describe('one alert event per code and decision', () => {
  it('merges alerts of one code, keeping every sentence and number', () => {
    const merged = mergeAlertsByCode([
      { code: 'TRADE_CLIPPED', message: 'Option order clipped to 10.', numbers: { requested: 12, clippedTo: 10 } },
      { code: 'GAMMA_LIMIT_BREACHED', message: 'Gamma above its limit.', numbers: { gamma: 0.2 } },
      { code: 'TRADE_CLIPPED', message: 'Delta order clipped to 50.', numbers: { requested: 80, clippedTo: 50 } },
    ]);
    expect(merged).toEqual([
      { code: 'TRADE_CLIPPED', message: 'Option order clipped to 10. · Delta order clipped to 50.', numbers: { requested: 12, clippedTo: 10, '#2.requested': 80, '#2.clippedTo': 50 } },
      { code: 'GAMMA_LIMIT_BREACHED', message: 'Gamma above its limit.', numbers: { gamma: 0.2 } },
    ]);
  });

  it('leaves distinct codes as they are', () => {
    const alerts = [{ code: 'ACCOUNT_PAUSED' as const, message: 'Paused.', numbers: {} }];
    expect(mergeAlertsByCode(alerts)).toEqual(alerts);
  });
});
