// OWL 2 RL and OWL 2 DL profile check of the union of the given ontology documents, with the OWL API.
// Compiled and run by tests/test_model.py (Debian's libowlapi-java). Prints one line per violation,
// then "IN PROFILE" or "NOT IN PROFILE".
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology union = manager.createOntology();
        for (String path : args) {
            OWLOntology part = manager.loadOntologyFromOntologyDocument(new File(path));
            manager.addAxioms(union, part.axioms());
        }
        OWLProfileReport rl = new OWL2RLProfile().checkOntology(union);
        OWLProfileReport dl = new OWL2DLProfile().checkOntology(union);
        for (OWLProfileViolation v : rl.getViolations()) {
            System.out.println("RL\t" + v.getClass().getSimpleName() + "\t" + v);
        }
        for (OWLProfileViolation v : dl.getViolations()) {
            System.out.println("DL\t" + v.getClass().getSimpleName() + "\t" + v);
        }
        System.out.println(rl.isInProfile() && dl.isInProfile() ? "IN PROFILE" : "NOT IN PROFILE");
    }
}
