/**
 * Bounds on what a user-controlled number or file may make axq do (README "Limits"). Past them,
 * axq stops with one clear error instead of allocating gigabytes or running for hours.
 */
const MIB = 1 << 20

/** Largest file of each kind axq reads (checked before a byte is read, see src/inputFile.ts). */
export const INPUT_LIMITS = {
  /** GraphDef, binary or text (protobuf's own limit is 2 GiB; axq keeps decoded graphs in memory). */
  graphBytes: 512 * MIB,
  /** A CIFAR-style data file, also once inflated (all records are held in memory: 3 KiB per image). */
  dataBytes: 512 * MIB,
  /** A C model, plain-text or .npy table to import. */
  importBytes: 16 * MIB,
  /** JSON sidecars, cost CSVs, manifests. */
  smallBytes: 16 * MIB,
  /** The CIFAR-10 archive, and each member extracted from it (the real ones: 163 MiB and 30 MiB). */
  archiveBytes: 512 * MIB,
} as const

/** Images in one batch (CIFAR-10's whole test set). */
export const MAX_BATCH = 10_000

/** Elements of one tensor: 2^28, i.e. 1 GiB of float32. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28

/** Nesting depth of messages in protobuf text and binary data, and of pickle containers (protobuf's own default is 100). */
export const MAX_NESTING = 100
