/// Facts about D4RL's simulated Franka kitchen robot that are not in the MJCF model: the
/// calibration file `adept_envs/franka/robot/franka_config.xml` (noise amplitudes, position and
/// velocity bounds for the 9 robot and 21 object degrees of freedom), the constants of
/// `adept_envs/franka/kitchen_multitask_v0.py` (`KitchenV0`) and the start state (docs/environments.md §12).
enum FrankaKitchenRobot {
    /// Robot joints observed and actuated: 7 arm joints and 2 fingers (`N_DOF_ROBOT`).
    static let robotJoints = 9
    /// Object joints observed: the last 21 entries of `qpos`/`qvel` (`N_DOF_OBJECT`).
    static let objectJoints = 21
    /// MuJoCo steps per environment step (`frame_skip=40`); with the model's 0.002 s timestep
    /// one step lasts 0.08 s.
    static let frameSkip = 40
    /// `KitchenV0.robot_noise_ratio`: the calibration's noise amplitudes are scaled by this.
    static let noiseRatio = 0.1
    /// `act_amp`: an action in [−1, 1] is a joint velocity of 2·a rad/s (m/s for the fingers).
    static let actionAmplitude = 2.0

    /// `pos_noise_amp` of `qpos0`…`qpos29` (robot joints first, then the 21 object joints). The
    /// velocities get noise too (`vel_noise_amp`), but they are not part of the observation: only
    /// their draws matter, not their amplitudes.
    static let positionNoiseAmplitude: [Double] =
        [Double](repeating: 0.1, count: 9)
        + [0.005, 0.005] + [Double](repeating: 0.0005, count: 6) + [0.005, 0.005, 0.005]
        + [0.1, 0.1, 0.1] + [0.005, 0.005, 0.005] + [0.1, 0.1, 0.1] + [0.005]
    /// `pos_bound` of the 9 robot joints (rad; fingers m): position targets are clipped to these.
    static let positionLow: [Double] = [-2.9, -1.8, -2.9, -3.1, -2.9, 0.0, -2.9, 0.0, 0.0]
    static let positionHigh: [Double] = [2.9, 1.8, 2.9, 0.0, 2.9, 3.8, 2.9, 0.04, 0.04]
    /// `vel_bound` of the 9 robot joints (±10 rad/s): velocity commands are clipped to these.
    static let velocityLimit = 10.0

    /// `KitchenV0.init_qpos` (30 values, hard-coded there "for the microwave kettle slide hinge");
    /// the start velocities are the model keyframe's (zero).
    static let initialQpos: [Double] = [
        1.48388023e-01, -1.76848573e+00, 1.84390296e+00, -2.47685760e+00,
        2.60252026e-01, 7.12533105e-01, 1.59515394e+00, 4.79267505e-02,
        3.71350919e-02, -2.66279850e-04, -5.18043486e-05, 3.12877220e-05,
        -4.51199853e-05, -3.90842156e-06, -4.22629655e-05, 6.28065475e-05,
        4.04984708e-05, 4.62730939e-04, -2.26906415e-04, -4.65501369e-04,
        -6.44129196e-03, -1.77048263e-03, 1.08009684e-03, -2.69397440e-01,
        3.50383255e-01, 1.61944683e+00, 1.00618764e+00, 4.06395120e-03,
        -6.62095997e-03, -2.68278933e-04,
    ]

    /// Observations refreshed into the robot's cache at every reset (`observation_cache_maxsize`).
    static let observationCacheSize = 5

    /// The model file below the D4RL asset tree (`KitchenV0.MODEl`).
    static let modelPath = "kitchen/adept_envs/franka/assets/franka_kitchen_jntpos_act_ab.xml"
    /// The folders the model's includes, meshes and textures are read from.
    static let assetFolders = ["kitchen/adept_models", "kitchen/third_party"]
}
