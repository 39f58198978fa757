import CMuJoCo
import CMuJoCoShims

/// Facts about the MuJoCo library this process is linked against.
public enum MuJoCoLibrary {
    /// The library's version string, e.g. "2.3.7". The corresponding C function is `mj_versionString`.
    public static var version: String { String(cString: mj_versionString()) }
    /// The library's version number, e.g. 237. The corresponding C function is `mj_version`.
    public static var versionNumber: Int { Int(mj_version()) }
    /// The version of the headers this package was compiled against (`mjVERSION_HEADER`).
    public static var headerVersionNumber: Int { Int(mjVERSION_HEADER) }

    /// Installs the error and warning handlers once per process; every entry point calls it.
    static let handlersInstalled: Bool = {
        cmj_install_handlers()
        return true
    }()
}
