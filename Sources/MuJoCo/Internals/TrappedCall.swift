import CMuJoCoShims

/// Calls `body(context)` with MuJoCo's error trap armed: an `mju_error` inside it becomes a thrown
/// `MuJoCoError.engine` instead of ending the process.
///
/// The error unwinds with longjmp, which skips every frame between the trap and the error. That is
/// why `body` is a C function pointer (a closure literal that captures nothing) and not a Swift
/// closure: it must hold no Swift references and create no Swift objects, only call MuJoCo's C
/// functions with what `context` points to.
func withMuJoCoErrorTrap(
    _ operation: String,
    context: UnsafeMutableRawPointer?,
    _ body: @convention(c) (UnsafeMutableRawPointer?) -> Void
) throws {
    _ = MuJoCoLibrary.handlersInstalled
    if cmj_call_trapped(body, context) != 0 {
        throw MuJoCoError.engine(operation: operation, message: String(cString: cmj_last_error()))
    }
}
