//! The explanations panel: what the current choices mean, with their formulas in MathML (which
//! browsers render natively), and guided lessons that set the controls and say what to look for.

use leptos::prelude::*;

use crate::app::live::Live;
use crate::explain::{self, Explanation, FormulaPieces, Lesson, GALLERY, LESSONS};
use crate::link::parse;

fn card(e: Explanation) -> impl IntoView {
    view! {
        <section class="explanation">
            <h3>{e.title}</h3>
            <p>{e.text}</p>
            // A long formula wraps at its clauses and terms; a piece still too wide scrolls
            // sideways. Focusable, so the keyboard can scroll it too.
            <div class="formula" tabindex="0" role="group" aria-label=format!("Formula: {}", e.title)
                inner_html=e.formula_pieces().concat()></div>
        </section>
    }
}

#[component]
pub fn ExplainPanel(live: Live) -> impl IntoView {
    let c = live.controls;
    let lesson = RwSignal::new(None::<usize>);
    let cards = move || explain::for_settings(&c.get().settings).into_iter().map(card).collect_view();
    view! {
        <div class="explain" data-testid="explain-panel" aria-live="polite">
            {cards}
            {move || live.has_draws.get().then(|| card(explain::mcmc()))}
            {card(explain::diagnostics())}
        </div>
        <h2>"Lessons"</h2>
        <ol class="lessons">{lessons(live, LESSONS, lesson, 0)}</ol>
        <h2>"Gallery"</h2>
        <ol class="lessons gallery" data-testid="gallery">{lessons(live, GALLERY, lesson, LESSONS.len())}</ol>
    }
}

/// A list of lessons (or the gallery's presets): each a button that loads its link and says what
/// to look for, and the link itself to copy or open. `first`: the index of the list's first item
/// among all, so that one of either list is open at a time.
fn lessons(live: Live, list: &'static [Lesson], open: RwSignal<Option<usize>>, first: usize) -> impl IntoView {
    list.iter()
        .enumerate()
        .map(|(i, l)| {
            let i = first + i;
            view! {
                <li>
                    <button data-testid=format!("lesson-{}", l.id) aria-pressed=move || (open.get() == Some(i)).to_string()
                        on:click=move |_| {
                            open.set(Some(i));
                            // The lesson sets the fit; the lecturer's view (presenter mode, hidden parts) stays.
                            let mut state = parse(l.query).state;
                            state.presenter |= live.presenter.get_untracked();
                            state.hidden.extend(live.hidden.get_untracked());
                            live.load(state);
                        }>{l.title}</button>
                    <Show when=move || open.get() == Some(i)>
                        <p class="look-for" data-testid="lesson-look-for">{l.look_for}" "<a href=format!("?{}", l.query)>"Its link"</a></p>
                    </Show>
                </li>
            }
        })
        .collect_view()
}
