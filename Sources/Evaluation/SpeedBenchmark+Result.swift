import Foundation

extension SpeedBenchmark {
    /// What `edp-eval bench` prints and writes (`--output`, snake_case keys).
    public struct Result: Codable, Sendable {
        public var task: String
        /// The policy source and its summary.
        public var policy: String
        /// Environment steps collected.
        public var transitions: Int
        public var environments: Int
        public var threads: Int
        public var sps: StepsPerSecond
        public var seconds: SecondsSplit
        /// Useful FLOP/s of the policy (network + critic multiply-adds × 2 per second of inference); nil without network FLOPs.
        public var flopRate: Double?
        /// FLOP/s of OpenBLAS sgemm on 2048³ float32 with the same threads.
        public var sgemmRate: Double
        /// `flopRate / sgemmRate`.
        public var rooflineRatio: Double?
        public var provenance: Provenance
        enum CodingKeys: String, CodingKey {
            case task, policy, transitions, environments, threads, sps, seconds, provenance
            case flopRate = "flop_rate", sgemmRate = "sgemm_rate", rooflineRatio = "roofline_ratio"
        }

        /// Every key is always written; `flop_rate` and `roofline_ratio` are `null` for a policy
        /// without network FLOPs (`--policy random`).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(task, forKey: .task)
            try c.encode(policy, forKey: .policy)
            try c.encode(transitions, forKey: .transitions)
            try c.encode(environments, forKey: .environments)
            try c.encode(threads, forKey: .threads)
            try c.encode(sps, forKey: .sps)
            try c.encode(seconds, forKey: .seconds)
            if let flopRate { try c.encode(flopRate, forKey: .flopRate) } else { try c.encodeNil(forKey: .flopRate) }
            try c.encode(sgemmRate, forKey: .sgemmRate)
            if let rooflineRatio { try c.encode(rooflineRatio, forKey: .rooflineRatio) } else { try c.encodeNil(forKey: .rooflineRatio) }
            try c.encode(provenance, forKey: .provenance)
        }
    }
}
