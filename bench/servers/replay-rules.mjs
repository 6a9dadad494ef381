/**
 * BENCH_RULES=replay: the gateway with the cost of its translation rules taken away, and nothing
 * else — the ceiling that any rule engine, however fast, could reach in this gateway
 * (bench/ceiling.mjs). Bench-only: it answers every request with the answers of the first one.
 *
 * - request / response hooks: the first call for a given `stream` flag of the inbound body runs
 *   the real rules; every later call gets that same answer back (the same promise).
 * - stream rules: until one stream has been recorded to its end, every stream runs the real rules
 *   and is recorded step by step (init, each event, end); once one has finished, every new stream
 *   replays its steps by position, ignoring the upstream events' content. A stream longer than the
 *   recording fails loudly.
 *
 * The bench sends the same request body every time, and the fake upstream the same answer and the
 * same stream, so the replayed answers are the ones the rules would give. Everything around the
 * rules still runs for real: body reading, validation, serialisation, the upstream call, the relay.
 */

/** Most steps one recorded stream may have (the bench's streams have about 210). */
const MAX_RECORDED_STEPS = 100_000;

export function replayRules(registry) {
  for (const pair of registry.current().pairs) {
    replayTranslator(pair.translator);
    if (pair.stream) replayStream(pair.stream);
  }
}

function replayTranslator(translator) {
  for (const hook of ['request', 'response']) {
    const real = translator[hook].bind(translator);
    const answers = new Map();
    translator[hook] = (body, inbound) => {
      const key = (hook === 'request' ? body : inbound)?.stream === true;
      let answer = answers.get(key);
      if (answer === undefined) answers.set(key, (answer = real(body, inbound)));
      return answer;
    };
  }
}

/** The real state of a stream being recorded, or the position in the recording of a replayed one. */
class Recording {
  constructor(state) {
    this.state = state;
    this.steps = [];
  }
}
class Replay {
  constructor(position) {
    this.position = position;
  }
}

function replayStream(program) {
  const real = { init: program.init.bind(program), step: program.step.bind(program), end: program.end.bind(program), onError: program.onError.bind(program) };
  let recorded; // the steps of the first recording to finish: { emit, finish } each

  const record = (recorder, step) => {
    if (recorder.steps.length >= MAX_RECORDED_STEPS) throw new Error(`replay-rules: a stream of over ${MAX_RECORDED_STEPS} steps cannot be recorded`);
    recorder.state = step.state;
    recorder.steps.push({ emit: step.emit, finish: step.finish });
    if (step.finish) recorded ??= recorder.steps;
    return { emit: step.emit, state: recorder, finish: step.finish };
  };
  const replayed = (position) => {
    const step = recorded[position];
    if (step === undefined) throw new Error('replay-rules: this stream has more events than the recorded one');
    return { emit: step.emit, state: new Replay(position + 1), finish: step.finish };
  };
  // The real rules answer directly when they are compiled (synchronous), and the relay then skips
  // an await per event: the replay keeps that, so it adds no promise the real rules would not make.
  const andThen = (value, fn) => (value instanceof Promise ? value.then(fn) : fn(value));

  program.init = (inbound) => (recorded ? new Replay(0) : andThen(real.init(inbound), (state) => new Recording(state)));
  program.step = (type, event, state, inbound) => {
    if (state instanceof Replay) return replayed(state.position);
    return andThen(real.step(type, event, state.state, inbound), (step) => record(state, step ?? { emit: [], state: state.state, finish: false }));
  };
  program.end = (state, inbound) => {
    if (state instanceof Replay) return replayed(state.position);
    return andThen(real.end(state.state, inbound), (step) => record(state, { ...step, finish: true }));
  };
  program.onError = (error, state, inbound) =>
    real.onError(error, state instanceof Recording ? state.state : undefined, inbound);
}
