/**
 * `axq search`: ALWANN's layer-wise approximation. An accelerator has N tiles, each built with one
 * multiplier; every approximate layer runs on one tile. NSGA-II (src/search/nsga2.ts) evolves
 * genomes (N tile multipliers + one tile index per layer) to maximise accuracy on the search data
 * and minimise the relative multiplication power (src/mults/power.ts).
 *
 * Reproducible: generation g draws its random numbers from its own stream, seeded from
 * (seed, g); evaluations are pure jobs (src/evaluation/job.ts) whose results do not depend on
 * which worker runs them, and they are collected in job order. A checkpoint written after every
 * generation holds the population and the evaluation cache, so a resumed search continues with
 * exactly the state an uninterrupted one had. No configuration is evaluated twice.
 */
import fs from 'node:fs'
import {writeFileAtomic} from '../atomicWrite.js'
import {mixSeed, Xoshiro128} from '../data/synth/prng.js'
import {AxqError} from '../errors.js'
import {fileProblem} from '../fileProblem.js'
import {approximateLayerMacs, configurationPower, jobCommand, makeJob, type EvaluationJob, type EvaluationResult} from '../evaluation/job.js'
import {EvaluationPool, type JobEvaluator} from '../evaluation/pool.js'
import {PowerTable} from '../mults/power.js'
import {EXACT_MULTIPLIER, EXACT_SIGNED_MULTIPLIER} from '../mults/table.js'
import {chooseCandidates, searchSignedness, type Candidate} from './candidates.js'
import {rankPoints, crowdedCompare, selectSurvivors, nonDominatedSort} from './nsga2.js'
import {compareWithReference, type Comparison} from './pairedTest.js'

export interface SearchSettings {
  graph: string
  data: string
  testData?: string
  tiles: number
  /** Names, paths or globs; default every multiplier with a known power. */
  mults?: string[]
  multDirs?: string[]
  tune: boolean
  population: number
  generations: number
  /** Images per evaluation (one batch) on the search data. */
  images: number
  /** Images per evaluation in the first `earlyGenerations` generations (0 = always `images`). */
  earlyImages: number
  earlyGenerations: number
  testImages: number
  seed: number
  /** Evaluation processes (1 = in this process). */
  workers: number
  checkpoint?: string
  /** Also evaluate every candidate uniformly (for the plot). */
  uniform?: boolean
  input?: string
  output?: string
}

export interface Genome {
  /** Index into the candidates, one per tile. */
  tiles: number[]
  /** Tile index, one per approximate layer. */
  assign: number[]
}

export interface Scored {
  accuracy: number
  correct: number
  images: number
  ci95: [number, number]
  hits: string
  relativePower: number
}

export interface FrontPoint {
  tiles: string[]
  /** `--layer-mult` values reproducing the point (with --mult mul8u_1JFF, the default). */
  layerMults: string[]
  relativePower: number
  relativePowerComputed: number | null
  accuracy: number
  ci95: [number, number]
  /** Exact McNemar p against the exact multiplier on the same search images. */
  pValue: number
  testAccuracy?: number
  testCi95?: [number, number]
  testPValue?: number
  /** Not significantly different (p ≥ 0.05) from the exact multiplier on the test data (search data without it). */
  sameAsExact: boolean
  /** The `axq infer` command reproducing `accuracy`. */
  command: string
}

export interface ReferencePoint {
  mult: string
  relativePower: number
  accuracy: number
  ci95: [number, number]
  testAccuracy?: number
  testCi95?: [number, number]
}

export interface SearchResult {
  front: FrontPoint[]
  exact: ReferencePoint
  uniform: ReferencePoint[]
  layers: string[]
  candidates: Candidate[]
  /** Configurations evaluated on the search data (each once), the exact reference included. */
  evaluations: number
  /** One-multiplier-everywhere points evaluated for the plot (search data). */
  uniformEvaluations: number
  /** Evaluations on the test data. */
  testEvaluations: number
  generations: number
  seconds: number
  settings: SearchSettings
}

export interface SearchEvents {
  onNotice?(message: string): void
  /** After each generation (0 = the initial population). */
  onGeneration?(info: {generation: number; generations: number; evaluations: number; seconds: number; etaSeconds: number | null; front: number}): void
  /** After each evaluation of a batch. */
  onEvaluation?(done: number, total: number): void
}

interface CheckpointFile {
  format: 'axq-search-checkpoint'
  version: 1
  fingerprint: string
  /** The next generation to run. */
  generation: number
  population: Genome[]
  cache: [string, Scored][]
  evaluations: number
  seconds: number
  /** Seconds and image-evaluations spent so far (for the ETA). */
  imageEvaluations: number
}

const FORMAT = 'axq-search-checkpoint'

export class LayerSearch {
  readonly candidates: Candidate[]
  readonly layers: string[]
  private readonly cache = new Map<string, Scored>()
  private readonly powers: PowerTable
  private readonly base: Omit<EvaluationJob, 'mult' | 'layerMults' | 'batchSize'>
  private readonly testBase?: Omit<EvaluationJob, 'mult' | 'layerMults' | 'batchSize'>
  evaluations = 0
  private imageEvaluations = 0
  private secondsBefore = 0

  constructor(
    readonly settings: SearchSettings,
    private readonly events: SearchEvents = {},
    /** Runs the evaluations instead of a local pool of `workers` (e.g. a Redis queue); the caller closes it. */
    private readonly evaluator?: JobEvaluator,
  ) {
    const s = settings
    for (const [flag, v, min] of [['--population', s.population, 2], ['--generations', s.generations, 0], ['--images', s.images, 1], ['--test-images', s.testImages, 1], ['--workers', s.workers, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new AxqError(`${flag} must be an integer ≥ ${min}, got ${v}`, {subject: flag, exitCode: 2})
    }
    if (!Number.isInteger(s.earlyImages) || s.earlyImages < 0 || !Number.isInteger(s.earlyGenerations) || s.earlyGenerations < 0) {
      throw new AxqError('--early-images and --early-generations must be integers ≥ 0', {subject: '--early-images', exitCode: 2})
    }
    const multDirs = s.multDirs ?? []
    this.base = {...makeJob({model: s.graph, data: s.data, batchSize: 1, iterations: 1, mult: EXACT_MULTIPLIER, tune: s.tune, multDirs, input: s.input, output: s.output})}
    if (s.testData) this.testBase = makeJob({model: s.graph, data: s.testData, batchSize: 1, iterations: 1, mult: EXACT_MULTIPLIER, tune: s.tune, multDirs, input: s.input, output: s.output})
    const layerMacs = approximateLayerMacs(this.base.model)
    this.layers = layerMacs.map((l) => l.name)
    if (this.layers.length === 0) throw new AxqError(`${s.graph} has no approximate layer (AxConv2D, QLinearConv, QLinearMatMul, QGemm) to search over`, {subject: s.graph})
    if (!Number.isInteger(s.tiles) || s.tiles < 1 || s.tiles > this.layers.length) {
      throw new AxqError(`--tiles must be between 1 and the number of approximate layers (${this.layers.length}), got ${s.tiles}`, {subject: '--tiles', exitCode: 2})
    }
    this.powers = new PowerTable({multDirs: this.base.multDirs})
    const signed = searchSignedness(s.graph, layerMacs)
    const exact = signed ? EXACT_SIGNED_MULTIPLIER : EXACT_MULTIPLIER
    if (this.powers.of(exact) === null) this.powers.require(exact)
    this.candidates = chooseCandidates(s.mults, this.base.multDirs, this.powers, '--mults', signed)
  }

  /** The search's identity: a checkpoint only resumes the same search. */
  fingerprint(): string {
    const s = this.settings
    return JSON.stringify({
      model: this.base.model.sha256, data: this.base.data.sha256, test: this.testBase?.data.sha256 ?? null, tiles: s.tiles, candidates: this.candidates.map((c) => c.name),
      multDirs: this.base.multDirs, tune: s.tune, population: s.population, generations: s.generations, images: s.images, earlyImages: s.earlyImages,
      earlyGenerations: s.earlyGenerations, seed: s.seed, input: s.input ?? null, output: s.output ?? null,
    })
  }

  /** Per-layer multiplier names of a genome. */
  phenotype(g: Genome): string[] {
    return g.assign.map((t) => this.candidates[g.tiles[t]].name)
  }

  layerMults(mults: readonly string[]): string[] {
    return mults.map((m, i) => `${i}=${m}`)
  }

  job(mults: readonly string[], images: number, test = false): EvaluationJob {
    const base = test ? this.testBase! : this.base
    return {...base, batchSize: images, iterations: 1, mult: EXACT_MULTIPLIER, layerMults: this.layerMults(mults)}
  }

  imagesAt(generation: number): number {
    const s = this.settings
    return s.earlyImages > 0 && generation < s.earlyGenerations ? Math.min(s.earlyImages, s.images) : s.images
  }

  private key(mults: readonly string[], images: number): string {
    return `${images}|${mults.join(',')}`
  }

  private randomGenome(rng: Xoshiro128): Genome {
    const n = this.candidates.length
    return {
      tiles: Array.from({length: this.settings.tiles}, () => rng.int(n)),
      assign: Array.from({length: this.layers.length}, () => rng.int(this.settings.tiles)),
    }
  }

  /** Uniform crossover of both chromosomes, then per-gene mutation (rate 1/genes, at least one gene). */
  private child(a: Genome, b: Genome, rng: Xoshiro128): Genome {
    const cross = rng.chance(0.9)
    const pick = (x: number[], y: number[]) => x.map((v, i) => (cross && rng.chance(0.5) ? y[i] : v))
    const g: Genome = {tiles: pick(a.tiles, b.tiles), assign: pick(a.assign, b.assign)}
    this.mutate(g, rng)
    return g
  }

  private mutate(g: Genome, rng: Xoshiro128): void {
    const genes = g.tiles.length + g.assign.length
    let changed = false
    for (let i = 0; i < genes; i++) {
      if (!rng.chance(1 / genes)) continue
      changed = true
      this.mutateGene(g, i, rng)
    }
    if (!changed) this.mutateGene(g, rng.int(genes), rng)
  }

  private mutateGene(g: Genome, i: number, rng: Xoshiro128): void {
    if (i < g.tiles.length) g.tiles[i] = rng.int(this.candidates.length)
    else g.assign[i - g.tiles.length] = rng.int(this.settings.tiles)
  }

  /** Evaluate every configuration not in the cache (in order, each once). */
  async evaluateAll(pool: JobEvaluator, configs: string[][], images: number): Promise<void> {
    const todo: string[][] = []
    const seen = new Set<string>()
    for (const mults of configs) {
      const key = this.key(mults, images)
      if (this.cache.has(key) || seen.has(key)) continue
      seen.add(key)
      todo.push(mults)
    }
    if (todo.length === 0) return
    let done = 0
    const results = await pool.run(todo.map((m) => this.job(m, images)), () => this.events.onEvaluation?.(++done, todo.length))
    todo.forEach((mults, i) => this.cache.set(this.key(mults, images), this.score(results[i])))
    this.evaluations += todo.length
    this.imageEvaluations += todo.length * images
  }

  private score(r: EvaluationResult): Scored {
    if (r.relativePower === null) throw new AxqError('internal: a searched configuration has no relative power', {exitCode: 70})
    return {accuracy: r.accuracy, correct: r.correct, images: r.images, ci95: r.ci95, hits: r.hits, relativePower: r.relativePower}
  }

  scored(mults: readonly string[], images: number): Scored {
    const hit = this.cache.get(this.key(mults, images))
    if (!hit) throw new AxqError(`internal: configuration ${mults.join(',')} was not evaluated`, {exitCode: 70})
    return hit
  }

  /** Minimised objectives: -accuracy, relative power. */
  objectives(g: Genome, images: number): [number, number] {
    const s = this.scored(this.phenotype(g), images)
    return [-s.accuracy, s.relativePower]
  }

  private loadCheckpoint(): CheckpointFile | undefined {
    const file = this.settings.checkpoint
    if (!file || !fs.existsSync(file)) return undefined
    let parsed: CheckpointFile
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointFile
    } catch (error) {
      throw new AxqError(`cannot read checkpoint ${file}: ${error instanceof SyntaxError ? 'not valid JSON' : fileProblem(error)}`, {subject: file})
    }
    if (parsed?.format !== FORMAT || parsed.version !== 1 || !Array.isArray(parsed.population) || !Array.isArray(parsed.cache)) {
      throw new AxqError(`checkpoint ${file} is not an axq search checkpoint`, {subject: file})
    }
    if (parsed.fingerprint !== this.fingerprint()) {
      throw new AxqError(`checkpoint ${file} belongs to a different search (other graph, data, multipliers or settings); remove it or use another --checkpoint`, {subject: file})
    }
    const genes = (g: Genome) =>
      Array.isArray(g?.tiles) && Array.isArray(g?.assign) && g.tiles.length === this.settings.tiles && g.assign.length === this.layers.length &&
      g.tiles.every((t) => Number.isInteger(t) && t >= 0 && t < this.candidates.length) && g.assign.every((t) => Number.isInteger(t) && t >= 0 && t < this.settings.tiles)
    if (!parsed.population.every(genes)) throw new AxqError(`checkpoint ${file} holds a malformed population`, {subject: file})
    return parsed
  }

  private saveCheckpoint(generation: number, population: Genome[], seconds: number): void {
    const file = this.settings.checkpoint
    if (!file) return
    const data: CheckpointFile = {
      format: FORMAT, version: 1, fingerprint: this.fingerprint(), generation, population, cache: [...this.cache], evaluations: this.evaluations, seconds, imageEvaluations: this.imageEvaluations,
    }
    writeFileAtomic(file, JSON.stringify(data))
  }

  /** Run (or resume) the search and re-evaluate the final front. */
  async run(): Promise<SearchResult> {
    const s = this.settings
    const started = Date.now()
    const elapsed = () => this.secondsBefore + (Date.now() - started) / 1000
    const pool = this.evaluator ?? new EvaluationPool({workers: s.workers, threadsPerWorker: s.workers > 1 ? 1 : undefined})
    try {
      let population: Genome[]
      let generation: number
      const resumed = this.loadCheckpoint()
      if (resumed) {
        for (const [k, v] of resumed.cache) this.cache.set(k, v)
        this.evaluations = resumed.evaluations
        this.imageEvaluations = resumed.imageEvaluations
        this.secondsBefore = resumed.seconds
        population = resumed.population
        generation = resumed.generation
        this.events.onNotice?.(`resuming from ${s.checkpoint} at generation ${generation} of ${s.generations} (${this.evaluations} evaluations done)`)
      } else {
        const rng = new Xoshiro128(mixSeed(s.seed, 0))
        population = Array.from({length: s.population}, () => this.randomGenome(rng))
        await this.evaluateAll(pool, population.map((g) => this.phenotype(g)), this.imagesAt(0))
        generation = 1
        this.saveCheckpoint(generation, population, elapsed())
        this.report(0, population, elapsed())
      }
      for (; generation <= s.generations; generation++) {
        const images = this.imagesAt(generation)
        const rng = new Xoshiro128(mixSeed(s.seed, generation))
        // parents scored with this generation's image count (re-evaluated when it grows)
        await this.evaluateAll(pool, population.map((g) => this.phenotype(g)), images)
        const parentPoints = population.map((g) => this.objectives(g, images))
        const ranked = rankPoints(parentPoints)
        const tournament = () => {
          const a = rng.int(population.length)
          const b = rng.int(population.length)
          return crowdedCompare(ranked, a, b) <= 0 ? a : b
        }
        const seen = new Set(population.map((g) => this.key(this.phenotype(g), images)))
        const offspring: Genome[] = []
        while (offspring.length < s.population) {
          const c = this.child(population[tournament()], population[tournament()], rng)
          // prefer configurations not tried yet (a few extra mutations)
          for (let tries = 0; tries < 3 && (seen.has(this.key(this.phenotype(c), images)) || this.cache.has(this.key(this.phenotype(c), images))); tries++) this.mutate(c, rng)
          seen.add(this.key(this.phenotype(c), images))
          offspring.push(c)
        }
        await this.evaluateAll(pool, offspring.map((g) => this.phenotype(g)), images)
        const union = [...population, ...offspring]
        population = selectSurvivors(union.map((g) => this.objectives(g, images)), s.population).map((i) => union[i])
        this.saveCheckpoint(generation + 1, population, elapsed())
        this.report(generation, population, elapsed())
      }
      return await this.finish(pool, population, elapsed)
    } finally {
      if (!this.evaluator) pool.close()
    }
  }

  private report(generation: number, population: Genome[], seconds: number): void {
    const s = this.settings
    // ETA from the cost per image-evaluation so far, assuming every remaining child is new
    let remaining = 0
    for (let g = generation + 1; g <= s.generations; g++) remaining += s.population * this.imagesAt(g)
    const perImage = this.imageEvaluations > 0 ? seconds / this.imageEvaluations : null
    const images = this.imagesAt(generation)
    const front = nonDominatedSort(population.map((g) => this.objectives(g, images)))[0].length
    this.events.onGeneration?.({generation, generations: s.generations, evaluations: this.evaluations, seconds, etaSeconds: perImage === null ? null : perImage * remaining, front})
  }

  private async finish(pool: JobEvaluator, population: Genome[], elapsed: () => number): Promise<SearchResult> {
    const s = this.settings
    const images = s.images
    const exactMults = this.layers.map(() => EXACT_MULTIPLIER)
    await this.evaluateAll(pool, [...population.map((g) => this.phenotype(g)), exactMults], images)
    const points = population.map((g) => this.objectives(g, images))
    const seenFront = new Set<string>()
    const front = nonDominatedSort(points)[0]
      .map((i) => population[i])
      .filter((g) => {
        const k = this.phenotype(g).join(',')
        if (seenFront.has(k)) return false
        seenFront.add(k)
        return true
      })
      .sort((a, b) => this.objectives(a, images)[1] - this.objectives(b, images)[1] || this.objectives(a, images)[0] - this.objectives(b, images)[0])
    const exact = this.scored(exactMults, images)
    const uniformMults = s.uniform ? this.candidates.map((c) => this.layers.map(() => c.name)) : []
    const searchEvaluations = this.evaluations
    await this.evaluateAll(pool, uniformMults, images)
    // the test data: the front, the exact reference and the uniform points
    const test = new Map<string, EvaluationResult>()
    let testEvaluations = 0
    if (this.testBase) {
      const configs = [exactMults, ...front.map((g) => this.phenotype(g)), ...uniformMults]
      const unique = [...new Map(configs.map((m) => [m.join(','), m])).values()]
      const jobs = unique.map((m) => this.job(m, s.testImages, true))
      let done = 0
      const results = await pool.run(jobs, () => this.events.onEvaluation?.(++done, jobs.length))
      unique.forEach((m, i) => test.set(m.join(','), results[i]))
      testEvaluations = jobs.length
    }
    const exactTest = test.get(exactMults.join(','))
    const macs = approximateLayerMacs(this.base.model)
    const frontPoints = front.map((g): FrontPoint => {
      const mults = this.phenotype(g)
      const sc = this.scored(mults, images)
      const search: Comparison = compareWithReference(sc, exact)
      const t = test.get(mults.join(','))
      const tc = t && exactTest ? compareWithReference(t, exactTest) : undefined
      const job = this.job(mults, images)
      return {
        tiles: g.tiles.map((i) => this.candidates[i].name),
        layerMults: this.layerMults(mults),
        relativePower: sc.relativePower,
        relativePowerComputed: configurationPower(macs, this.layers.map((name, i) => ({name, mult: mults[i]})), this.powers).relativePowerComputed,
        accuracy: sc.accuracy,
        ci95: sc.ci95,
        pValue: search.pValue,
        ...(t ? {testAccuracy: t.accuracy, testCi95: t.ci95, testPValue: tc!.pValue} : {}),
        sameAsExact: (tc ?? search).pValue >= 0.05,
        command: jobCommand(job),
      }
    })
    const reference = (mult: string, mults: string[]): ReferencePoint => {
      const sc = this.scored(mults, images)
      const t = test.get(mults.join(','))
      return {mult, relativePower: sc.relativePower, accuracy: sc.accuracy, ci95: sc.ci95, ...(t ? {testAccuracy: t.accuracy, testCi95: t.ci95} : {})}
    }
    return {
      front: frontPoints,
      exact: reference(EXACT_MULTIPLIER, exactMults),
      uniform: uniformMults.map((m) => reference(m[0], m)),
      layers: this.layers,
      candidates: this.candidates,
      evaluations: searchEvaluations,
      uniformEvaluations: this.evaluations - searchEvaluations,
      testEvaluations,
      generations: s.generations,
      seconds: elapsed(),
      settings: s,
    }
  }
}
