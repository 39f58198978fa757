// The Rendering module: offscreen OpenGL contexts (EGL, OSMesa, GLFW), MuJoCo scenes and cameras,
// frames, PNG files, contact sheets, a text overlay and MP4 video through ffmpeg.
// See docs/record.md "record" and docs/architecture.md ("Rendering gets raw pointers through package access").
// No GL library is linked: GLContext loads one with dlopen only when a renderer is made. The C side
// (GL contexts, MuJoCo's renderer under the error trap) is the CMuJoCoRenderShims target, which
// only this module imports.
