import { activityView } from '../../../src/console/api/activity';
import { memoryHistory } from './fakes';

describe('activityView', () => {
  it('answers exactly one entry per minute, oldest first, the current minute last and quiet minutes 0', async () => {
    const history = memoryHistory(
      [],
      [
        { minute: '2026-12-06T09:58:00.000Z', deliveries: 3, failures: 1 },
        { minute: '2026-12-06T10:00:00.000Z', deliveries: 2, failures: 0 },
        // Before the window: not shown.
        { minute: '2026-12-06T09:50:00.000Z', deliveries: 9, failures: 9 },
      ],
    );
    const answer = await activityView(history, 3, new Date('2026-12-06T10:00:42.500Z'));
    expect(answer.minutes).toEqual([
      { minute: '2026-12-06T09:58:00.000Z', deliveries: 3, failures: 1 },
      { minute: '2026-12-06T09:59:00.000Z', deliveries: 0, failures: 0 },
      { minute: '2026-12-06T10:00:00.000Z', deliveries: 2, failures: 0 },
    ]);
    expect(history.countCalls).toEqual([
      [new Date('2026-12-06T09:58:00.000Z'), new Date('2026-12-06T10:01:00.000Z')],
    ]);
  });
});
