//! The few browser services the page uses besides the DOM: the address bar, the clipboard,
//! downloads and media queries. Each fails softly: it returns an error or `false`, never panics.

use wasm_bindgen::{JsCast, JsValue};

fn window() -> Result<web_sys::Window, String> {
    web_sys::window().ok_or_else(|| "no window".to_string())
}

/// The page's query string, with its `?`.
pub fn query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// This page's address with `query` as its query string.
pub fn link(query: &str) -> String {
    let Ok(w) = window() else { return format!("?{query}") };
    let loc = w.location();
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_default();
    format!("{origin}{path}?{query}")
}

/// Puts `query` in the address bar without a reload or a history entry.
pub fn replace_query(query: &str) {
    if let Ok(h) = window().and_then(|w| w.history().map_err(|_| String::new())) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("?{query}")));
    }
}

/// Starts copying `text` to the clipboard; `false` where the browser offers no clipboard (then the
/// page shows the text to copy by hand). Looked up dynamically: older browsers and insecure
/// origins have no `navigator.clipboard`.
pub fn copy(text: &str) -> bool {
    let Ok(w) = window() else { return false };
    let Ok(clipboard) = js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("clipboard")) else { return false };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else { return false };
    let Some(write) = write.dyn_ref::<js_sys::Function>() else { return false };
    match write.call1(&clipboard, &JsValue::from_str(text)) {
        Ok(promise) => {
            // A refused permission rejects the promise: swallow it (the text is shown anyway).
            if let Ok(p) = promise.dyn_into::<js_sys::Promise>() {
                let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
                let _ = p.catch(&ignore);
                ignore.forget(); // a few bytes per copy: it must outlive the promise
            }
            true
        }
        Err(_) => false,
    }
}

/// Offers `text` as a file download named `name`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_err)?;
    let result = download_url(name, &url);
    // The download reads the blob after the click returns: release it a little later.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    result
}

/// Offers canvases as one PNG download, left to right on white, top-aligned.
pub fn download_canvases(name: &str, canvases: &[web_sys::HtmlCanvasElement]) -> Result<(), String> {
    let document = window()?.document().ok_or("no document")?;
    let sheet: web_sys::HtmlCanvasElement =
        document.create_element("canvas").map_err(js_err)?.dyn_into().map_err(|_| "no canvas element")?;
    sheet.set_width(canvases.iter().map(|c| c.width()).sum::<u32>().max(1));
    sheet.set_height(canvases.iter().map(|c| c.height()).max().unwrap_or(1).max(1));
    let ctx: web_sys::CanvasRenderingContext2d = sheet
        .get_context("2d")
        .map_err(js_err)?
        .ok_or("this browser gives no 2-D canvas")?
        .dyn_into()
        .map_err(|_| "no 2-D context")?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, sheet.width() as f64, sheet.height() as f64);
    let mut x = 0.0;
    for c in canvases {
        ctx.draw_image_with_html_canvas_element(c, x, 0.0).map_err(js_err)?;
        x += c.width() as f64;
    }
    let url = sheet.to_data_url_with_type("image/png").map_err(js_err)?;
    download_url(name, &url)
}

fn download_url(name: &str, url: &str) -> Result<(), String> {
    let document = window()?.document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(js_err)?.dyn_into().map_err(|_| "no link element")?;
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// Whether the student asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn js_err(e: JsValue) -> String {
    format!("the browser refused: {}", e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// `performance.now()`, in milliseconds. The handle is taken once: the clock is read at every
/// checkpoint of a sliced refresh (thousands a second), and each `window().performance()` is two
/// calls into JS and two handles to drop.
pub fn now() -> f64 {
    thread_local!(static PERFORMANCE: Option<web_sys::Performance> = web_sys::window().and_then(|w| w.performance()));
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}
