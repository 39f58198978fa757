/// Rendering cost/looks trade-off.
public enum RenderQuality: String, CaseIterable, Sendable {
    /// No shadows, reflections, skybox or haze, no multisampling: cheapest on a CPU rasterizer.
    case fast
    /// Shadows, reflections, skybox, haze and 4× multisampling.
    case quality
}
