import java.io.File;
import javax.xml.parsers.DocumentBuilderFactory;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Load an ontology file with the OWL API, its imports resolved as Protégé resolves them (the uri entries of a
 * catalog-v001.xml beside the file), and check it against the OWL 2 DL profile: prints each violation, exits 1
 * if there is any. */
public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        File file = new File(args[0]).getAbsoluteFile();
        File catalog = new File(file.getParentFile(), "catalog-v001.xml");
        if (catalog.isFile()) {
            NodeList uris = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(catalog)
                .getElementsByTagName("uri");
            for (int i = 0; i < uris.getLength(); i++) {
                Element uri = (Element) uris.item(i);
                File target = new File(catalog.getParentFile(), uri.getAttribute("uri"));
                manager.getIRIMappers().add(new SimpleIRIMapper(IRI.create(uri.getAttribute("name")),
                                                                IRI.create(target)));
            }
        }
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(file);
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        System.out.println("axioms " + ontology.getAxiomCount() + " imports " + ontology.getImports().size());
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println("violation " + v);
        }
        System.exit(report.isInProfile() ? 0 : 1);
    }
}
