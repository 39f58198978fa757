import ArgumentParser
@testable import edp_eval
@testable import Evaluation
import Foundation
import Rendering
import Testing

/// The library's errors speak of values; edp-eval prints them naming its flags. Each expected text
/// below is the message the library itself printed before the wording moved to the command line
/// (commit ce7ad51), so what a user reads is unchanged byte for byte.
@Suite struct CommandLineWordingTests {
    @Test func reportFilesAndLogsNameResumeOverwriteAndOutput() {
        #expect(CommandLineWording.message(for: ReportFilesError.nothingToResume(report: "r.json", log: "r.jsonl"))
                == "--resume: r.json exists but its episode log r.jsonl does not, so there is no run to continue; add --overwrite (instead of --resume) to replace the report")
        #expect(CommandLineWording.message(for: ReportFilesError.earlierRun(file: "r.jsonl"))
                == "r.jsonl already exists (an earlier run): add --resume to continue it or --overwrite to replace it")
        #expect(CommandLineWording.message(for: ReportFilesError.sharedName(output: "r.csv"))
                == "--output r.csv: the JSON report's path must not end in .csv, .jsonl or .lock (those names are used for its episode table, log and lock); use e.g. report.json")
        #expect(CommandLineWording.message(for: EpisodeLogConflict.otherPhysics(file: "r.jsonl", recorded: "2.1.0", current: "2.3.7"))
                == "cannot resume from r.jsonl: it was run on MuJoCo 2.1.0 and this run uses MuJoCo 2.3.7; resume with --mujoco 2.1.0, or start a new run")
        #expect(CommandLineWording.message(for: EpisodeLogConflict.foreignEpisode(file: "r.jsonl", line: 3, problem: "seed 9 is not in the recorded plan (seeds 0)"))
                == "cannot resume from r.jsonl: line 3: seed 9 is not in the recorded plan (seeds 0); remove that line or start over with --overwrite")
        #expect(CommandLineWording.message(for: EpisodeLogConflict.differentResults(file: "r.jsonl", lines: [2, 7], episode: 1, seed: 0, task: "hopper-medium-v2", policy: "random"))
                == "cannot resume from r.jsonl: lines 2 and 7 record episode 1 of seed 0 of hopper-medium-v2 × random with different results; remove the wrong one or start over with --overwrite")
        #expect(CommandLineWording.message(for: EpisodeLogWriteError(file: "r.jsonl", reason: "No space left on device"))
                == "cannot append to the episode log r.jsonl (No space left on device): free some space, then rerun with --resume to continue from the episodes logged so far")
        #expect(CommandLineWording.message(for: OutputLockError(file: "r.lock", reason: "Read-only file system"))
                == "cannot create the lock file r.lock (Read-only file system): the output's folder cannot be written; choose another --output")
    }

    @Test func renderingRemediesNameGLAndVideoOptions() {
        let attempts: [RenderingError.Attempt] = [.init(backend: .egl, reason: "cannot load libEGL.so.1"),
                                                  .init(backend: .osmesa, reason: "cannot load libOSMesa.so.8")]
        let tried = "cannot create an OpenGL context for rendering; tried egl, osmesa:\n"
            + "  - egl: cannot load libEGL.so.1. Provided by the Debian package(s) libegl1 and libgl1-mesa-dri (Mesa's EGL and its llvmpipe software driver)\n"
            + "  - osmesa: cannot load libOSMesa.so.8. Provided by the Debian package(s) libosmesa6\n"
        #expect(CommandLineWording.message(for: RenderingError.noContext(attempts: attempts, forced: false))
                == tried + "Install one of them (Scripts/bootstrap does), or force a backend with --gl egl|osmesa|glfw or MUJOCO_GL.")
        #expect(CommandLineWording.message(for: RenderingError.noContext(attempts: attempts, forced: true))
                == tried + "The backend was forced by --gl or MUJOCO_GL; unset MUJOCO_GL or choose another (--gl egl|osmesa|glfw).")
        #expect(CommandLineWording.message(for: RenderingError.unknownBackend("vulkan"))
                == "unknown OpenGL backend 'vulkan' (from --gl or MUJOCO_GL): use one of egl, osmesa, glfw")
        #expect(CommandLineWording.message(for: RenderingError.ffmpegNotFound(searched: ["/usr/bin/ffmpeg"]))
                == "the ffmpeg program is needed for MP4 video but was not found (searched /usr/bin/ffmpeg); install the Debian package ffmpeg, or use --png-frames/--contact-sheet with --no-video")
        // Other rendering errors print as the library words them.
        #expect(CommandLineWording.message(for: RenderingError.unknownBody(name: "torso")) == "the model has no body named 'torso' to track")
    }

    @Test func claimChecksNameMethodCheckpointAndProtocol() {
        #expect(CommandLineWording.message(for: ClaimVerificationError.noRowsForMethod("CQL", file: "t.csv", methods: ["EDP", "IQL"]))
                == "--method 'CQL': t.csv has no rows for it; the table's methods are: EDP, IQL")
        #expect(CommandLineWording.message(for: ClaimVerificationError.noCheckableRow(tasks: ["a", "b"]))
                == "none of the table's rows has a --checkpoint for its task (the table's tasks: a, b)")
        #expect(CommandLineWording.message(for: ClaimVerificationError.unknownProtocol(checkpoints: 2, task: "a", table: "t", method: "EDP"))
                == "2 checkpoints for a, but it is not known whether t's 'EDP' reports RAT or OMS: add --protocol rat or --protocol oms")
        #expect(CommandLineWording.message(for: ClaimVerificationError.oneAgentTable(task: "a", table: "t"))
                == "t reports the episodes of one agent per row: give one --checkpoint for a (not several runs or a series)")
        #expect(CommandLineWording.message(for: ClaimVerificationError.repeatedCheckpoint(task: "a", path: "x.pkl"))
                == "--checkpoint x.pkl is given for two runs of a; each checkpoint belongs to one training run")
        // Errors without a flag keep the library's text.
        let missing = ClaimVerificationError.noSuchCheckpoint("x.pkl")
        #expect(CommandLineWording.message(for: missing) == missing.description)
    }

    @Test func missingStatisticsNameDatasetAndObservationStats() {
        #expect(CommandLineWording.message(for: MissingObservationStatistics(file: "/c/edp.pkl", isPickle: true))
                == "/c/edp.pkl: the EDP variant has obs_norm = true: the policy was trained on observations normalized with the training dataset's global mean and std (clip ±10), which the pickle does not store. Pass --dataset FILE.hdf5 (the training dataset; its statistics are computed as EDP's trainer does) or --observation-stats stats.json ({\"mean\": m, \"std\": s}: numpy obs.mean(), obs.std() over dataset[\"observations\"])")
        #expect(CommandLineWording.message(for: MissingObservationStatistics(file: "/c/x.safetensors", isPickle: false)).contains("which the checkpoint file does not store. Pass --dataset"))
    }

    /// Worded errors stay run errors (exit status 1, not usage errors) with the worded text;
    /// usage errors of the library are worded too.
    @Test func wordedErrorsKeepTheirStatus() throws {
        let error = EpisodeLogWriteError(file: "r.jsonl", reason: "x")
        let classified = ExitStatus.classify(error)
        #expect(!(classified is ValidationError))
        #expect("\(classified)" == CommandLineWording.message(for: error))
        let usage = try asUsageErrorMessage { throw ReportFilesError.earlierRun(file: "r.jsonl") }
        #expect(usage == "r.jsonl already exists (an earlier run): add --resume to continue it or --overwrite to replace it")
    }

    private func asUsageErrorMessage(_ body: () throws -> Void) throws -> String? {
        do { try asUsageError(body) } catch let error as ValidationError { return error.message }
        return nil
    }
}
