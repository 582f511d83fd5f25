//! The six claims of the abstract of arXiv:2111.00903, each with the checks that bear on it.
//!
//! A thesis's verdict is computed from the roles and outcomes of these checks (THEORY.md §3.7): it is
//! SUPPORTED only by a confirmed end-to-end test (layer E) that no other end-to-end test refutes;
//! identities (layer M) and premises (layer N) alone leave it PREMISES-ONLY.
//!
//! The order of a list matters only for the number quoted as deciding: the first refuted end-to-end
//! test is quoted. Where several refute a claim, the one listed first is the refutation that holds at
//! both sizes and in the most favourable setting (claim 2: the ring spectrum of the neuron-exchange
//! network; claim 3: b/a against c², 25σ at full size; claim 4: the massive packet against the metric
//! whose dispersion the lattice actually has).

use crate::Registry;

/// Register the six theses.
pub fn register(reg: &mut Registry) {
    reg.thesis(
        1,
        "madelung",
        "With a fixed number of neurons, the trainable variables follow the Madelung equations, with the \
         free energy of the non-trainable variables as the phase",
        &[
            "paper.madelung.schrodinger_identity",
            "paper.madelung.regimes",
            "paper.madelung.action_flow_trap",
            "paper.madelung.classical_liouville",
            "paper.sgd.temperature_scaling_gamma",
            "paper.sgd.temperature_scaling_gamma_exact",
            "paper.sgd.temperature_scaling_batch",
            "paper.sgd.stationary_covariance",
            "paper.sgd.entropy_balance",
            "paper.sgd.entropy_balance_exact",
            "paper.sgd.entropy_balance_late",
            "paper.sgd.entropy_balance_continuum",
            "paper.sgd.detailed_balance",
            "paper.madelung.sgd_no_interference",
            "paper.madelung.schrodinger_fringes",
            "paper.madelung.sgd_double_well",
            "paper.madelung.schrodinger_double_well",
            "paper.madelung.microscopic_phase",
            "analytic.madelung.euclidean_branch",
            "analytic.madelung.euclidean_branch_grid",
            "e2e.madelung.curl_control",
            "e2e.madelung.curl_obstruction",
            "e2e.madelung.two_timescale_gaussian",
            "e2e.madelung.two_timescale_limit",
            "e2e.madelung.two_timescale_quartic",
            "e2e.madelung.two_timescale_quartic_limit",
            "e2e.madelung.two_timescale_quartic_mass",
            "e2e.madelung.two_timescale_quartic_replicas",
        ],
    );
    reg.thesis(
        2,
        "schrodinger",
        "When the system adapts its number of neurons, step size and mini-batch size, the trainable \
         variables follow the Schrödinger equation",
        &[
            "paper.madelung.schrodinger_identity",
            "paper.madelung.action_flow_trap",
            "quantum.quantization.circulation",
            "quantum.madelung.node_breakdown",
            "paper.selftuning.chemical_potential",
            "paper.selftuning.batch",
            "e2e.quantization.loop_jump",
            "e2e.quantization.ring_spectrum",
            "e2e.quantization.ring_spectrum_euclidean",
            "e2e.quantization.unit_dependence",
            "paper.selftuning.mechanism",
            "e2e.quantization.self_tuning_convergence",
            "e2e.quantization.self_tuning_distance",
            "e2e.quantization.self_tuning_distance_sign",
        ],
    );
    reg.thesis(
        3,
        "lorentz",
        "Lorentz symmetry and curved space-time emerge from the interplay of stochastic entropy \
         production and entropy destruction by learning",
        &[
            "paper.sgd.entropy_balance",
            "paper.sgd.entropy_balance_exact",
            "paper.sgd.entropy_balance_late",
            "paper.lorentz.klein_gordon_covariance",
            "paper.lorentz.klein_gordon_covariance_ir",
            "e2e.lorentz.light_cone_speed",
            "e2e.lorentz.euclidean_expectation",
            "e2e.lorentz.medium_entropy_closed_form",
            "e2e.lorentz.euclidean_definite",
            "e2e.lorentz.energy_form_speed",
            "e2e.lorentz.signature",
            "e2e.lorentz.violation_trend",
        ],
    );
    reg.thesis(
        4,
        "geodesics",
        "Localized states of neurons follow the geodesics of the emergent space-time",
        &[
            "paper.gravity.learned_geodesics",
            "paper.gravity.learned_geodesics_eikonal",
            "e2e.geodesics.sgd_noisy_metric",
            "e2e.geodesics.learned_packets",
            "e2e.geodesics.massive_packet_conformal",
            "e2e.geodesics.massive_packet_optical",
            "e2e.geodesics.lens_deflection",
            "e2e.geodesics.lens_deflection_single_ray",
            "e2e.geodesics.learned_lens_deflection",
        ],
    );
    reg.thesis(
        5,
        "einstein",
        "The whole network obeys Einstein's equations with a cosmological constant",
        &[
            "paper.einstein.gamma_gamma_lagrangian",
            "paper.einstein.euler_lagrange_is_einstein",
            "paper.einstein.diffeo_selects_einstein_hilbert",
            "paper.einstein.einstein_hilbert_ray_unique",
            "paper.einstein.fierz_pauli_symbol",
            "paper.einstein.fierz_pauli_modes",
            "paper.einstein.torus_integral",
            "paper.einstein.lambda_multiplier",
            "paper.einstein.onsager_tensor_origin",
            "e2e.einstein.newtonian_profile",
            "e2e.einstein.newtonian_goodness",
            "e2e.einstein.newtonian_linearity",
            "e2e.einstein.local_response_law",
        ],
    );
    reg.thesis(
        6,
        "duality",
        "The quantum description of the trainable variables and the gravitational description of the \
         non-trainable variables are dual",
        &[
            "paper.duality.observable_map",
            "e2e.duality.production_exchange",
            "e2e.duality.production_exchange_coloured",
            "e2e.duality.destruction_exchange",
            "e2e.duality.destruction_exchange_long_lag",
            "e2e.duality.budget_closure",
            "e2e.duality.light_speed",
        ],
    )
    .interpretive = true;
}
