import Foundation

/// Facts about the MuJoCo builds this process drives.
public enum MuJoCoLibrary {
    /// The build's version string as its library reports it, e.g. "2.1.0".
    /// - Throws: `MuJoCoError.libraryUnavailable` if the library cannot be opened.
    public static func version(_ physics: MuJoCoPhysics) throws -> String {
        String(cString: try Backend.open(physics).api.version_string)
    }

    /// The build's version number (`mj_version()`), e.g. 210 or 237.
    public static func versionNumber(_ physics: MuJoCoPhysics) throws -> Int {
        Int(try Backend.open(physics).api.version)
    }

    /// The library file that was opened for the build.
    public static func libraryPath(_ physics: MuJoCoPhysics) throws -> String {
        String(cString: try Backend.open(physics).api.library_path)
    }

    /// The GLEW build loaded for MuJoCo 2.1.0 (nil before 2.1.0 is first used): 2.1.0 renders only
    /// through that GLEW's GL backend in this process.
    public static var glewBuildFor210: GLEWBuild? { Backend.loadedGLEW }

    /// Chooses the GLEW build MuJoCo 2.1.0 will load with, for a run that knows its GL backend
    /// before any model is loaded (`--gl`). Returns false when 2.1.0 is already open with another.
    @discardableResult
    public static func chooseGLEW(_ build: GLEWBuild) -> Bool {
        if let loaded = Backend.loadedGLEW { return loaded == build }
        LibraryFiles.chosenGLEW = build
        return true
    }
}
