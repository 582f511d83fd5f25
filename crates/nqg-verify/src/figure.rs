//! Figure data attached to evidence, rendered as SVG (plotters) with the CSV behind it.
//!
//! A figure should show the thing the claim is about (a convergence plot, a light cone, a density);
//! axes marked logarithmic are plotted as $\log_{10}$ of the data and labelled so.

use std::fmt::Write as _;

use plotters::prelude::*;
use serde::Serialize;

/// A series after the axis transforms: name, style, finite points.
type Plotted = (String, Style, Vec<(f64, f64)>);

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// A polyline.
    Line,
    /// Unconnected markers.
    Markers,
}

/// One named data series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates (same length as `x`).
    pub y: Vec<f64>,
    /// Drawing style.
    pub style: Style,
}

/// A 2D plot: title, axis labels, series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Title.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Plot $\log_{10} x$.
    pub log_x: bool,
    /// Plot $\log_{10} y$.
    pub log_y: bool,
    /// The data.
    pub series: Vec<Series>,
}

impl Figure {
    /// An empty figure with linear axes.
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            series: Vec::new(),
        }
    }

    /// Use logarithmic axes.
    pub fn log(mut self, log_x: bool, log_y: bool) -> Self {
        self.log_x = log_x;
        self.log_y = log_y;
        self
    }

    /// Add a polyline series.
    pub fn line(mut self, name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        self.series.push(Series {
            name: name.into(),
            x,
            y,
            style: Style::Line,
        });
        self
    }

    /// Add a marker series.
    pub fn markers(mut self, name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        self.series.push(Series {
            name: name.into(),
            x,
            y,
            style: Style::Markers,
        });
        self
    }

    /// The data as CSV in long format: `series,x,y` (raw values, not logarithms).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("series,x,y\n");
        for s in &self.series {
            let name = s.name.replace('"', "'");
            for (x, y) in s.x.iter().zip(&s.y) {
                let _ = writeln!(out, "\"{name}\",{x:e},{y:e}");
            }
        }
        out
    }

    fn transformed(&self) -> Vec<Plotted> {
        let tx = |v: f64, log: bool| if log { v.log10() } else { v };
        self.series
            .iter()
            .map(|s| {
                let pts =
                    s.x.iter()
                        .zip(&s.y)
                        .map(|(&x, &y)| (tx(x, self.log_x), tx(y, self.log_y)))
                        .filter(|(x, y)| x.is_finite() && y.is_finite())
                        .collect();
                (s.name.clone(), s.style, pts)
            })
            .collect()
    }

    /// Render as an SVG document.
    ///
    /// # Errors
    /// A message if plotters fails (it should not for finite data).
    pub fn to_svg(&self) -> Result<String, String> {
        let data = self.transformed();
        let all: Vec<(f64, f64)> = data.iter().flat_map(|d| d.2.iter().copied()).collect();
        let range = |it: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = it.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
            if !lo.is_finite() {
                (0.0, 1.0)
            } else if hi - lo < 1e-300 {
                (lo - 0.5, hi + 0.5)
            } else {
                let pad = 0.05 * (hi - lo);
                (lo - pad, hi + pad)
            }
        };
        let (x0, x1) = range(&mut all.iter().map(|p| p.0));
        let (y0, y1) = range(&mut all.iter().map(|p| p.1));
        let label = |l: &str, log: bool| if log { format!("log10 {l}") } else { l.to_string() };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (720, 480)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(64)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc(label(&self.x_label, self.log_x))
                .y_desc(label(&self.y_label, self.log_y))
                .draw()
                .map_err(|e| e.to_string())?;
            for (i, (name, style, pts)) in data.into_iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                match style {
                    Style::Line => {
                        chart
                            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                            .map_err(|e| e.to_string())?
                            .label(name)
                            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
                    }
                    Style::Markers => {
                        chart
                            .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                            .map_err(|e| e.to_string())?
                            .label(name)
                            .legend(move |(x, y)| Circle::new((x + 8, y), 3, color.filled()));
                    }
                }
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(svg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_svg_contain_the_data() {
        let f = Figure::new("t", "h", "err")
            .log(true, true)
            .markers("measured", vec![0.1, 0.01], vec![1e-2, 1e-4])
            .line("slope 2", vec![0.1, 0.01], vec![1e-2, 1e-4]);
        let csv = f.to_csv();
        assert_eq!(csv.lines().count(), 5);
        assert!(csv.contains("\"measured\",1e-1,1e-2"));
        let svg = f.to_svg().unwrap();
        assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"));
        assert!(svg.contains("log10 err"));
    }
}
